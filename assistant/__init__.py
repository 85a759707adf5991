"""Reply Assistant: draft empathetic, policy-grounded replies to customers on social networks."""

__version__ = "0.1.0"
