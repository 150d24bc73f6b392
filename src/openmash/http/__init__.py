"""What the web pages and the JSON API share: authentication, authorisation, CSRF, errors, headers."""
