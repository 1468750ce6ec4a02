"""Network code: fetching pages, reading their metadata, checking links, WebSub pings."""
