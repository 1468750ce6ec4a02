"""Article files into validated articles: frontmatter, comments, the parse cache."""
