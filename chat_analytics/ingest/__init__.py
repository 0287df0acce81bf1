"""Getting data in: the synthetic generator, the validating loader, the importers."""
