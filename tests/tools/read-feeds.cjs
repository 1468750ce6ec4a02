// Read RSS and Atom files with @rowanmanning/feed-parser, a second parser beside Python's
// feedparser, and print what it understood as JSON: {path: feed} for each path given.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { parseFeed } = require(path.join(__dirname, "node_modules", "@rowanmanning/feed-parser"));

const date = (value) => (value ? value.toISOString() : null);
const result = {};
for (const file of process.argv.slice(2)) {
	const feed = parseFeed(fs.readFileSync(file, "utf8"));
	result[file] = {
		type: feed.meta.type,
		version: feed.meta.version,
		title: feed.title,
		description: feed.description,
		url: feed.url,
		self: feed.self,
		language: feed.language,
		updated: date(feed.updated),
		authors: feed.authors.map((a) => a.name),
		items: feed.items.map((item) => ({
			id: item.id,
			title: item.title,
			url: item.url,
			published: date(item.published),
			updated: date(item.updated),
			categories: item.categories.map((c) => c.term),
			content: item.content,
			description: item.description,
		})),
	};
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
