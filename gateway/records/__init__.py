"""The platform's holdings: enterprises, dataset records with their history, source batches."""
