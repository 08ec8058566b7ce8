"""Signals other apps listen to; cases depends on no app that reacts to its changes."""

from django.dispatch import Signal

# Sent inside the transaction of a case change the citizen can be told about, with ``case``, ``change``
# (a ``cases.workflow.CaseChange``) and ``public_message``. Receivers write in that transaction (the
# notifications outbox does); anything slow or external belongs after commit.
case_changed = Signal()
