"""The candidate's home screen (dashboard, trending, recommendations, analytics, market
insights) and in-app notifications."""
