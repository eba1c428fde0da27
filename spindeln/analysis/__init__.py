"""The measurement engine: pure statistics over numpy arrays, and one loader from the database."""
