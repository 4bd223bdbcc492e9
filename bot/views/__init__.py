"""Messages shared by the handlers and the scheduler: texts with keyboards, charts, the PDF."""
