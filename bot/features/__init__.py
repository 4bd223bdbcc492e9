"""One module per feature; features never import each other."""
