"""What every chat handler shares: replies, routing, guards, errors, questions, escalation."""
