"""Link analysis: children linked through the vehicles, drivers, adults, phones and addresses that the hub's
records mention (docs/decisions/0007-gate-check-network-and-alerts.md)."""
