"""`roundup serve`: serve the built output folder locally, under the base URL's path."""

from __future__ import annotations

import argparse

from roundup.commands.common import add_config_argument, error, load_config, port_number

HELP = "serve the built output locally, under the base URL's path"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", metavar="DIR", help="folder to serve (default output/)")
    parser.add_argument("--base-url", metavar="URL", help="serve under this URL's path")
    add_config_argument(parser)
    parser.add_argument(
        "--port", type=port_number, default=8000, help="port on 127.0.0.1 (default 8000)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")


def run(args: argparse.Namespace) -> int:
    config = load_config(args, output_dir=args.output, base_url=args.base_url)
    if not (config.output_dir / "index.html").is_file():
        error(f"roundup: nothing to serve in {config.output_dir}; run roundup build first")
        return 1
    from roundup.serve import make_server  # here: http.server is slow to import for a build

    server = make_server(config.output_dir, config.base_path, port=args.port)
    host, port = server.server_address[:2]
    print(f"roundup: serving {config.output_dir} at http://{host}:{port}{config.base_path}")
    print("roundup: links point to", config.base_url, "(build with --base-url to change)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
