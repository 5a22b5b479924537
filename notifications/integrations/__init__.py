"""The outside systems notifications reach: SMTP (email.py), browsers' push services
(webpush.py) and text-message providers (sms.py). Each sends what it is given and returns what
became of it; services/delivery.py decides whether to send and what to record."""
