"""Post-Training Atlas: the generator that turns paper digests into a static research atlas."""

__version__ = "0.1.0"
