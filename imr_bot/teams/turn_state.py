"""Keys for what one turn carries between the bot, the handlers and the dialogs."""

ACTOR_KEY = "imr.actor"  # the Actor identified for this turn
OUTBOX_KEY = "imr.outbox_dirty"  # something was queued for others: deliver after the turn
