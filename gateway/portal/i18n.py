"""The portal's words, Chinese first: one table for the page shells and for the page scripts
(served to them as JSON), so a label never exists in one language only."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("zh", "en")
DEFAULT_LANGUAGE: Final = "zh"

# key -> (zh, en). {name} placeholders are filled by the page script.
_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # frame
    "app.name": ("信用信息授权与查询平台", "Credit data gateway"),
    "app.skip": ("跳到正文", "Skip to content"),
    "app.switch_lang": ("English", "中文"),
    "app.footer": (
        "私钥只保存在本浏览器中，从不发送给服务器。",
        "Your private key stays in this browser; it is never sent to the server.",
    ),
    "app.loading": ("正在加载…", "Loading…"),
    "app.nav": ("主导航", "Main navigation"),
    "app.signed_in_as": ("当前身份：{id}", "Signed in as {id}"),
    "app.forget_key": ("退出并清除本机密钥", "Sign out and forget the key"),
    "app.no_key": (
        "本浏览器中还没有导入密钥。请先导入您的私钥。",
        "No key has been imported in this browser yet. Import your private key first.",
    ),
    "app.to_login": ("导入密钥", "Import a key"),
    "app.wrong_role": (
        "当前导入的密钥属于{role}，此页面供其他角色使用。",
        "The key imported here belongs to a {role}; this page is for another role.",
    ),
    "app.empty": ("暂无记录。", "Nothing yet."),
    "app.done": ("已完成。", "Done."),
    "app.working": ("正在处理…", "Working…"),
    "app.yes": ("是", "yes"),
    "app.no": ("否", "no"),
    "app.unknown": ("无法判断", "unknown"),
    "app.download_json": ("下载本页 JSON", "Download this page as JSON"),
    # roles
    "role.enterprise": ("企业", "enterprise"),
    "role.institution": ("金融机构", "institution"),
    "role.assessor": ("评估人员", "assessor"),
    "role.operator": ("平台运营方", "operator"),
    "role.source": ("数据源单位", "source"),
    # navigation
    "nav.enterprise.home": ("授权管理", "Authorizations"),
    "nav.enterprise.grant": ("新建授权", "New grant"),
    "nav.enterprise.data": ("我的数据", "My data"),
    "nav.enterprise.log": ("访问记录", "Access log"),
    "nav.institution.home": ("查询与核验", "Reports and checks"),
    "nav.assessor.home": ("机构评估", "Oversight"),
    "nav.operator.home": ("平台运营", "Operations"),
    "nav.login": ("密钥", "Key"),
    # login
    "login.title": ("导入私钥", "Import your private key"),
    "login.intro": (
        "选择您的私钥文件（PKCS#8 PEM，Ed25519 或 P-256），或将其粘贴到下方。"
        "密钥被导入浏览器的 WebCrypto，标记为不可导出，保存在本机 IndexedDB 中；"
        "页面用它为每个请求签名。服务器永远收不到私钥。",
        "Choose your private key file (PKCS#8 PEM, Ed25519 or P-256) or paste it below. "
        "The key is imported into the browser's WebCrypto as non-extractable and kept in this "
        "browser's IndexedDB; the page signs each request with it. The server never receives it.",
    ),
    "login.principal": ("身份标识（企业为统一社会信用代码）", "Principal id (enterprises: USCC)"),
    "login.role": ("角色", "Role"),
    "login.file": ("私钥文件", "Key file"),
    "login.paste": ("或粘贴 PEM 文本", "or paste the PEM text"),
    "login.submit": ("导入并登录", "Import and sign in"),
    "login.shared_pc": (
        "在公用电脑上使用后，请点击“退出并清除本机密钥”。",
        "On a shared computer, use “Sign out and forget the key” when you are done.",
    ),
    "login.checking": ("正在用该密钥向服务器验证身份…", "Checking the key with the server…"),
    "login.ok": ("密钥已导入。", "Key imported."),
    "login.current": ("本机已保存的身份：{id}（{role}）", "Saved in this browser: {id} ({role})"),
    "login.continue": ("进入", "Continue"),
    # key errors
    "key.missing": ("请选择密钥文件或粘贴 PEM 文本。", "Choose a key file or paste the PEM."),
    "key.not_pem": ("这不是 PEM 格式的私钥。", "This is not a PEM private key."),
    "key.public": (
        "这是公钥。请导入私钥（“BEGIN PRIVATE KEY”）。",
        "This is a public key. Import the private key (“BEGIN PRIVATE KEY”).",
    ),
    "key.encrypted": (
        "这是加密的私钥。请先解密：openssl pkcs8 -in 加密.pem -out 私钥.pem",
        "This private key is encrypted. Decrypt it first: openssl pkcs8 -in enc.pem -out key.pem",
    ),
    "key.sec1": (
        "这是 SEC1 格式的 EC 私钥。请转换为 PKCS#8：openssl pkcs8 -topk8 -nocrypt -in ec.pem",
        "This is a SEC1 EC key. Convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in ec.pem",
    ),
    "key.unsupported": (
        "不支持该密钥：只接受 Ed25519 或 P-256 私钥，且浏览器需支持 WebCrypto Ed25519。",
        "Unsupported key: only Ed25519 or P-256 private keys (and a browser with WebCrypto).",
    ),
    "key.rejected": (
        "服务器不认可该密钥与身份标识的组合：{reason}",
        "The server does not accept this key for that principal: {reason}",
    ),
    "key.no_webcrypto": (
        "此浏览器不支持 WebCrypto（需使用 https 或本机地址访问）。",
        "This browser offers no WebCrypto here (use https or a loopback address).",
    ),
    # errors by status
    "error.title": ("出错了", "Something went wrong"),
    "error.network": ("无法连接服务器，请检查网络后重试。", "Cannot reach the server; retry."),
    "error.400": ("请求有误。", "The request is malformed."),
    "error.401": (
        "身份验证失败（请检查密钥与本机时间）。",
        "Authentication failed (check the key and this computer's clock).",
    ),
    "error.403": ("无权执行此操作。", "Not permitted."),
    "error.404": ("未找到。", "Not found."),
    "error.409": ("与现有数据冲突。", "Conflicts with existing data."),
    "error.422": ("填写的内容有误。", "Some input is invalid."),
    "error.429": ("操作过于频繁，请稍后再试。", "Too many requests; try again later."),
    "error.503": ("服务暂时不可用，请稍后再试。", "The service is unavailable; retry later."),
    "error.other": ("服务器出错（{status}）。", "Server error ({status})."),
    "error.detail": ("原因：{detail}", "Reason: {detail}"),
    # enterprise home
    "ent.requests": ("待处理的授权请求", "Pending authorization requests"),
    "ent.approve": ("同意并签名", "Approve and sign"),
    "ent.reject": ("拒绝", "Reject"),
    "ent.reject_reason": ("拒绝理由", "Reason for rejecting"),
    "ent.approved": ("已同意：授权 {id} 已生效。", "Approved: grant {id} is in force."),
    "ent.rejected": ("已拒绝该请求。", "Request rejected."),
    "ent.active": ("有效授权", "Active grants"),
    "ent.ended": ("已结束的授权", "Ended grants"),
    "ent.new_grant": ("新建授权", "New grant"),
    "ent.revoke": ("撤销", "Revoke"),
    "ent.revoke_confirm": ("确定撤销授权 {id}？撤销立即生效。", "Revoke {id}? It ends at once."),
    "ent.revoked": ("授权 {id} 已撤销。", "Grant {id} revoked."),
    "col.institution": ("机构", "Institution"),
    "col.purpose": ("用途", "Purpose"),
    "col.scope": ("范围", "Scope"),
    "col.modes": ("方式", "Modes"),
    "col.expiry": ("到期", "Expires"),
    "col.respond_by": ("答复期限", "Answer by"),
    "col.uses": ("使用次数", "Uses"),
    "col.last_use": ("最近使用", "Last use"),
    "col.state": ("状态", "State"),
    "col.action": ("操作", "Action"),
    "col.id": ("编号", "Id"),
    "col.time": ("时间", "Time"),
    "col.event": ("事件", "Event"),
    "col.who": ("访问方", "By"),
    "col.decision": ("结果", "Decision"),
    "col.fields": ("披露字段", "Fields disclosed"),
    "col.proof": ("校验", "Check"),
    "col.dataset": ("数据集", "Dataset"),
    "col.field": ("字段", "Field"),
    "col.value": ("值", "Value"),
    "col.reason": ("原因", "Reason"),
    "col.name": ("名称", "Name"),
    "col.kind": ("类型", "Kind"),
    "col.status": ("状态", "Status"),
    "col.reports": ("查询", "Reports"),
    "col.verifications": ("核验", "Checks"),
    "col.denied": ("拒绝", "Denied"),
    "col.anomalies": ("异常", "Anomalies"),
    "col.source": ("数据源", "Source"),
    "col.frequency": ("更新频率", "Updates"),
    "col.last_update": ("最近更新", "Last update"),
    "col.records": ("记录数", "Records"),
    "col.predicate": ("核验项", "Check"),
    "col.result": ("结论", "Result"),
    "col.role": ("角色", "Role"),
    "col.enterprise": ("企业", "Enterprise"),
    "col.severity": ("严重程度", "Severity"),
    "col.evidence": ("证据条目", "Evidence entries"),
    "state.pending": ("未生效", "pending"),
    "state.active": ("有效", "active"),
    "state.revoked": ("已撤销", "revoked"),
    "state.expired": ("已过期", "expired"),
    "state.exhausted": ("次数已用完", "used up"),
    "state.open": ("处理中", "open"),
    "state.under_review": ("核查中", "under review"),
    "state.corrected": ("已更正", "corrected"),
    "state.rejected": ("已驳回", "rejected"),
    "state.withdrawn": ("已撤回", "withdrawn"),
    "state.approved": ("已批准", "approved"),
    "state.suspended": ("已暂停", "suspended"),
    "mode.report": ("查询报告", "report"),
    "mode.verify": ("是/否核验", "yes/no check"),
    "class.institution": ("机构可见信息", "institution-class data"),
    "class.authorized": ("需授权信息", "data needing a grant"),
    "class.verify_only": ("仅核验信息", "verify-only data"),
    "class.public": ("公开信息", "public data"),
    # grant form
    "grant.title": ("新建授权", "Grant an authorization"),
    "grant.intro": (
        "授权在本浏览器中用您的私钥签名（JWS），然后提交给平台。您随时可以撤销。",
        "The grant is signed in this browser with your private key (a JWS), then sent to the "
        "gateway. You can revoke it at any time.",
    ),
    "grant.institution": ("被授权机构标识", "Institution id"),
    "grant.purpose": ("用途", "Purpose"),
    "grant.datasets": ("数据集", "Datasets"),
    "grant.classes": ("或按信息类别", "or by class of data"),
    "grant.modes": ("使用方式", "Modes"),
    "grant.days": ("有效天数", "Valid for (days)"),
    "grant.use_limit": ("最多使用次数（可不填）", "Use limit (optional)"),
    "grant.submit": ("签名并授权", "Sign and grant"),
    "grant.done": ("已授权：{id}", "Granted: {id}"),
    "grant.need_scope": ("请至少选择一个数据集或信息类别。", "Choose a dataset or a class."),
    "grant.need_mode": ("请至少选择一种使用方式。", "Choose at least one mode."),
    # my data
    "data.title": ("我的数据", "My data"),
    "data.intro": (
        "平台保存的关于本企业的全部信息（免费查看）。对有误的记录可提出异议；对符合条件的行政处罚可申请信用修复。",
        "Everything the gateway holds about your enterprise (free). Object to a wrong record; "
        "apply for credit repair of an eligible penalty.",
    ),
    "data.disputed": ("异议处理中", "disputed"),
    "data.repaired": ("已信用修复", "repaired"),
    "data.live": ("实时接口", "live interface"),
    "data.unavailable": ("数据源未响应：{reason}", "Source did not answer: {reason}"),
    "data.object": ("提出异议", "Object"),
    "data.repair": ("申请信用修复", "Apply for repair"),
    "data.none": ("无记录", "no records"),
    "obj.title": ("异议申请", "Objection"),
    "obj.dataset": ("数据集", "Dataset"),
    "obj.record": ("记录编号", "Record id"),
    "obj.field": ("字段（可不填，表示整条记录）", "Field (empty: the whole record)"),
    "obj.reason": ("理由", "Reason"),
    "obj.evidence": (
        "证明材料（只在本机计算摘要，文件不上传）",
        "Evidence (only its digest is computed here; the file is not uploaded)",
    ),
    "obj.submit": ("提交异议", "File the objection"),
    "obj.done": ("异议已提交：{id}", "Objection filed: {id}"),
    "obj.list": ("我的异议", "My objections"),
    "rep.title": ("信用修复申请", "Credit repair"),
    "rep.submit": ("提交申请", "Apply"),
    "rep.done": ("申请已提交：{id}", "Application filed: {id}"),
    "rep.list": ("我的信用修复申请", "My repair applications"),
    # access log
    "log.title": ("访问记录", "Access log"),
    "log.intro": (
        "谁在何时、为何查看或核验了本企业的数据。每条记录都在平台的防篡改账本中。",
        "Who read or checked your data, when and why. Every entry is in the gateway's "
        "tamper-evident ledger.",
    ),
    "log.verify": ("校验", "Verify"),
    "log.verify_note": (
        "“校验”在本浏览器中检查每条记录的包含证明与检查点签名，并与上次保存的主体头比对。"
        "它使用的代码由本平台提供；独立的检查请使用命令行工具 credgate ledger verify。",
        "“Verify” checks each entry's inclusion proof and the checkpoint's signature in this "
        "browser, and the subject head against the one saved last time. Its code comes from this "
        "gateway; the independent check is the command-line tool credgate ledger verify.",
    ),
    "log.ok": ("通过", "ok"),
    "log.bad": ("失败", "FAILED"),
    "log.verified": (
        "校验通过：{count} 条记录均包含在签名检查点（树大小 {size}）中。",
        "Verified: all {count} entries are in the signed checkpoint (tree size {size}).",
    ),
    "log.failed": ("校验失败：{reason}", "Verification FAILED: {reason}"),
    "log.head_saved": (
        "已在本机保存主体头（第 {seq} 条）；下次校验将确认其后没有遗漏。",
        "Subject head saved here (entry {seq}); the next check confirms nothing after it "
        "was left out.",
    ),
    "log.head_first": (
        "首次校验：本机尚无已保存的主体头可比对。",
        "First check: no saved subject head to compare with yet.",
    ),
    "log.head_consistent": (
        "与上次保存的主体头（第 {seq} 条）一致。",
        "Consistent with the saved subject head (entry {seq}).",
    ),
    "log.key_new": (
        "首次使用的账本验证公钥已保存在本机：{key}",
        "Ledger verifier key seen for the first time, saved here: {key}",
    ),
    "log.key_changed": (
        "注意：账本验证公钥与本机保存的不同（可能是密钥轮换）。请与平台公告核对。",
        "Warning: the ledger verifier key differs from the one saved here (a rotation?). "
        "Check it against the operator's announcement.",
    ),
    "log.more": ("更早的记录", "Older entries"),
    "event.access.report": ("查询报告", "report"),
    "event.access.verify": ("是/否核验", "yes/no check"),
    "event.access.self_view": ("本企业查看", "own view"),
    "event.repair.applied": ("申请信用修复", "repair applied for"),
    "event.repair.approved": ("信用修复获批", "repair approved"),
    "event.repair.rejected": ("信用修复被驳回", "repair rejected"),
    "event.objection.filed": ("提出异议", "objection filed"),
    "event.objection.withdrawn": ("撤回异议", "objection withdrawn"),
    "event.objection.under_review": ("异议核查中", "objection under review"),
    "event.objection.rejected": ("异议被驳回", "objection rejected"),
    "event.objection.corrected": ("异议已更正", "objection corrected"),
    "event.authorization.granted": ("授权", "granted"),
    "event.authorization.revoked": ("撤销授权", "revoked"),
    "decision.allow": ("允许", "allowed"),
    "decision.deny": ("拒绝", "denied"),
    # institution
    "inst.report": ("企业信用报告", "Enterprise report"),
    "inst.uscc": ("统一社会信用代码", "USCC"),
    "inst.purpose": ("用途", "Purpose"),
    "inst.run_report": ("查询", "Get report"),
    "inst.withheld": ("未披露的字段", "Withheld fields"),
    "inst.withheld_mark": ("未披露", "withheld"),
    "inst.ledger_index": (
        "本次访问已记入账本，序号 {index}。",
        "Recorded in the ledger at {index}.",
    ),
    "inst.verify": ("是/否核验", "Yes/no verification"),
    "inst.predicate": ("核验项", "Check"),
    "inst.add_check": ("再加一项", "Add a check"),
    "inst.remove_check": ("删除此项", "Remove this check"),
    "inst.run_verify": ("核验", "Verify"),
    "inst.authorizations": ("收到的授权", "Authorizations received"),
    "inst.products": ("我的产品", "My products"),
    "inst.demands": ("推送的融资需求", "Pushed demands"),
    "inst.sent_requests": ("已发出的授权请求", "Authorization requests sent"),
    # assessor
    "ass.institutions": ("机构活动", "Institutions"),
    "ass.details": ("详情", "Details"),
    "ass.anomalies": ("异常", "Anomalies"),
    "ass.assessments": ("评估记录", "Assessments"),
    "ass.export_csv": ("导出 CSV", "Export CSV"),
    "ass.export_json": ("导出 JSON（含证明）", "Export JSON (with proofs)"),
    "ass.new": ("记录评估", "Record an assessment"),
    "ass.outcome": ("评估结论", "Outcome"),
    "ass.outcome.passed": ("通过", "passed"),
    "ass.outcome.passed_with_findings": ("通过（有发现）", "passed with findings"),
    "ass.outcome.failed": ("不通过（暂停该机构）", "failed (suspends the institution)"),
    "ass.finding": ("发现（可不填）", "Finding (optional)"),
    "ass.severity": ("严重程度", "Severity"),
    "ass.evidence": ("证据账本序号（逗号分隔）", "Evidence ledger indexes (comma-separated)"),
    "ass.next_due": ("下次评估日期", "Next assessment due"),
    "ass.submit": ("提交评估", "Record"),
    "ass.done": ("评估已记录，机构状态：{status}", "Recorded; the institution is now {status}"),
    "severity.low": ("低", "low"),
    "severity.medium": ("中", "medium"),
    "severity.high": ("高", "high"),
    # operator
    "op.datasets": ("数据集与更新情况", "Datasets and freshness"),
    "op.overdue": ("逾期未更新", "overdue"),
    "op.fresh": ("正常", "on time"),
    "op.not_stored": ("实时接口，不存储", "live, not stored"),
    "freq.realtime": ("实时", "real time"),
    "freq.monthly": ("每月", "monthly"),
    "freq.annual": ("每年", "yearly"),
    "op.reconcile": ("对账", "Reconcile"),
    "op.digest": ("摘要", "Digest"),
    "op.principals": ("主体", "Principals"),
    "op.repairs": ("待批准的信用修复", "Repairs to approve"),
    "op.approve": ("批准", "Approve"),
    "op.reject": ("驳回", "Reject"),
    "op.reject_reason": ("驳回理由", "Reason"),
    "op.stats": ("融资统计", "Financing statistics"),
    # policy and verification reasons
    "reason.no_authorization": ("需要企业授权", "needs the enterprise's grant"),
    "reason.verify_only": ("仅可核验，不披露", "verify only, never disclosed"),
    "reason.not_financing_purpose": ("用途不属于融资用途", "not a financing purpose"),
    "reason.suspended": ("机构已被暂停", "the institution is suspended"),
    "reason.unknown_class": ("未知信息类别", "unknown class of data"),
    "reason.role_not_permitted": ("该角色无权访问", "role not permitted"),
    "reason.unknown_purpose": ("未知用途", "unknown purpose"),
    "reason.not_subject": ("只能查看本企业数据", "only your own data"),
    "reason.malformed_input": ("请求格式有误", "malformed request"),
    "reason.no_reads": ("该核验项不读取数据", "the check reads no data"),
    "reason.ok": ("符合", "holds"),
    "reason.below_threshold": ("低于门槛", "below the threshold"),
    "reason.above_threshold": ("高于门槛", "above the threshold"),
    "reason.no_data": ("无数据", "no data"),
    "reason.data_unavailable": ("数据暂不可得", "data unavailable"),
    "reason.stale_data": ("数据过旧", "data too old"),
    "reason.invalid_data": ("数据无效", "invalid data"),
    "reason.undefined_ratio": ("比率无法计算", "ratio undefined"),
    "reason.not_permitted": ("未获许可", "not permitted"),
}

PURPOSES_ZH: Final[dict[str, str]] = {
    "loan_underwriting": "贷款审批",
    "post_loan_monitoring": "贷后管理",
    "guarantee_underwriting": "担保审批",
    "supply_chain_finance": "供应链金融",
    "insurance_underwriting": "保险承保",
    "credit_reporting": "征信服务",
    "procurement": "政府采购",
    "bidding": "招标投标",
    "approval": "行政审批",
    "market_access": "市场准入",
    "qualification": "资质审核",
    "provincial_sharing": "省级平台共享",
}


def language(requested: str | None) -> str:
    """``requested`` if the portal speaks it, else Chinese."""
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


def messages(lang: str) -> dict[str, str]:
    """Every message in ``lang``, plus the purposes' names (``purpose.<id>``)."""
    column = LANGUAGES.index(language(lang))
    table = {key: pair[column] for key, pair in _MESSAGES.items()}
    for purpose, zh in PURPOSES_ZH.items():
        table[f"purpose.{purpose}"] = zh if column == 0 else purpose.replace("_", " ")
    table["purpose.self_view"] = table["event.access.self_view"]
    return table
