"""What the Node sends: the primitives, receipts, hostile probes, spontaneous-payment service data."""
