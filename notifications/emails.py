def send_notification_email(notification_id):
    raise NotImplementedError  # placeholder: helper writes this


def send_digests():
    raise NotImplementedError
