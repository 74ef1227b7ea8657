"""rec: sequential recommendation models on RecBole's SequentialRecommender contract."""
