"""Charts built from analysis results, returned as SVG or PNG bytes."""
