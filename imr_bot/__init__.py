"""imr-bot: the Individual Management Review workflow of a council's Children's Services, in Teams."""

__version__ = "0.1.0"
