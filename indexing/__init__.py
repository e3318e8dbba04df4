"""How documents are stored and searched: embedders, index backends, the filter language."""
