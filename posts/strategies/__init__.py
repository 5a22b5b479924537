"""Interchangeable algorithms behind one Protocol each, picked by name: feed ranking
(ranking.py, by settings.FEED_RANKING) and post search (search.py, by the database engine)."""
