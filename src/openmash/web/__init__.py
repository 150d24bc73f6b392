"""Server-rendered pages (GOV.UK Frontend): thin shells over the services."""
