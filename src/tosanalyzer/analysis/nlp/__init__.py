"""Rule-based language processing: spaCy pipeline, clause segmentation, matchers, attributes."""
