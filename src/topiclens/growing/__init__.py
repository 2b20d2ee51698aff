"""Growing a fitted model with new documents: existing topics keep their ids and labels, new ones are found."""
