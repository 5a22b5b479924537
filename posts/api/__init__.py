"""JSON API of posts, by use case: posts.py, engagement.py, comments.py, feeds.py, search.py.
Each view parses, calls one service or repository function, and renders; output shapes are in
posts/serializers.py, and errors leave through core.errors."""
