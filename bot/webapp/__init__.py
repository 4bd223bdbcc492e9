"""The Mini App "My diary" (issue 18): its web routes, page and chart."""
