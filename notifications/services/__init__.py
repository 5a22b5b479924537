"""Writes of notifications, a module per use case: inbox (notify() and reading), preferences,
devices (Web Push subscriptions) and delivery (what the tasks run: email, push, text, digest).
Import the module you need, e.g. `from notifications.services.inbox import notify`."""
