def push_notification(notification_id):
    raise NotImplementedError  # placeholder: helper writes this
