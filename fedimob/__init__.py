"""fedimob: federated crowdtiming. Campaigns where people give time, on the Fediverse."""

__version__ = "0.1.0"
