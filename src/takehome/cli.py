"""The `takehome` command: new, check, build, package, preview. Thin: the work is elsewhere."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import IO, Any

import click

from . import __version__, progress, scaffold
from .build import pipeline
from .build.incremental import Cache
from .errors import BuildError, ContentError, Problem, display_path
from .project import find_root


def _report_warnings(warnings: list[Problem]) -> None:
    for warning in warnings:
        click.echo(str(warning), err=True)


class _ContentErrors(click.ClickException):
    """Errors in the user's content: printed as they are (file:line:col each), exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, file=file, err=True)


class _Group(click.Group):
    """Content errors print cleanly; anything else is a bug, shown in full with --debug."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BuildError as exc:
            raise _ContentErrors(exc.report()) from None
        except ContentError as exc:
            raise _ContentErrors(str(exc.problem)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.meta.get("debug"):
                raise
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)"
            ) from None


def _debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["debug"] = value
    logging.basicConfig(level=logging.DEBUG if value else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    return value


debug_option = click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                            callback=_debug, help="Show tracebacks and debug logging.")
project_argument = click.argument("directory", default=".",
                                  type=click.Path(file_okay=False, path_type=Path))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="takehome")
def main() -> None:
    """Printable school-to-home documents from YAML, a class roster and templates."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@debug_option
def new(directory: Path) -> None:
    """Start a new project in DIRECTORY with sample content to edit."""
    created = scaffold.create(directory)
    click.echo(f"Created a project in {display_path(created)}.")
    click.echo(f"Edit {display_path(created / 'content')}, then run: takehome build "
               f"{display_path(created)}")


@main.command()
@project_argument
@debug_option
def check(directory: Path) -> None:
    """Validate everything without rendering PDFs."""
    from . import products

    project, warnings = pipeline.check(directory)
    listings, product_warnings = products.load_products(project)
    _report_warnings(warnings + product_warnings)
    counted = f", {len(listings)} product{'s' if len(listings) != 1 else ''}" if listings else ""
    click.echo(f"{len(project.documents)} documents and {len(project.roster.students)} students"
               f"{counted}: no errors.")


def _shard(_ctx: click.Context, _param: click.Parameter,
           value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter("use K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise click.BadParameter("K must be between 1 and N")
    return k, n


@main.command()
@project_argument
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the PDFs (default: the project's output/).")
@click.option("--only", multiple=True, metavar="NAME",
              help="Build only this document (e.g. intake, newsletters/2026-12); repeatable.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Typesetting processes (default: one per core).")
@click.option("--shard", callback=_shard, metavar="K/N",
              help="Typeset only the K-th of N parts into the cache (see the README).")
@click.option("--watch", is_flag=True, help="Rebuild whenever a content or template file changes.")
@debug_option
def build(directory: Path, output: Path | None, only: tuple[str, ...], jobs: int,
          shard: tuple[int, int] | None, watch: bool) -> None:
    """Render the project's documents into PDFs."""
    options = pipeline.Options(output=output, only=only, jobs=jobs, shard=shard,
                               progress=progress.reporter())
    if watch:
        from .watch import watch as run_watch

        run_watch(directory, options)
        return
    report = pipeline.build(directory, options)
    _report_warnings(report.warnings)
    if shard:
        click.echo(f"Shard {shard[0]}/{shard[1]}: {len(report.rendered)} documents typeset into "
                   f"the cache in {report.seconds:.1f} s.")
    else:
        click.echo(report.summary())


@main.command()
@project_argument
@debug_option
def clean(directory: Path) -> None:
    """Empty the build cache (the next build renders everything again)."""
    root = find_root(directory)
    Cache(root).clear()
    click.echo(f"Emptied the cache of {display_path(root)}.")


@main.command(name="package")
@project_argument
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the products (default: the project's dist/).")
@click.option("--product", "products", multiple=True, metavar="SLUG",
              help="Package only this product (its folder name under dist/); repeatable.")
@debug_option
def package_command(directory: Path, output: Path | None, products: tuple[str, ...]) -> None:
    """Package products for sale: Letter and A4, colour and ink-saver, preview, thumbnails, zip."""
    from . import products as packaging

    report = packaging.package(directory, packaging.Options(output=output, products=products))
    _report_warnings(report.warnings)
    for product in report.products:
        click.echo(f"{display_path(product.folder)}: {len(product.files)} files")
    click.echo(f"Packaged {len(report.products)} product{'s' if len(report.products) != 1 else ''}"
               f" in {report.seconds:.1f} s.")


MAX_PREVIEW_PAGES = 10_000


def _page_list(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[int]:
    """"1,3-5" -> [1, 3, 4, 5]."""
    pages: list[int] = []
    for part in (value or "").replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise click.BadParameter(f"{part!r} is not a page or a range like 3-5")
        if int(last or first) - int(first) + len(pages) >= MAX_PREVIEW_PAGES:
            raise click.BadParameter(f"{value} asks for more than {MAX_PREVIEW_PAGES:,} pages")
        pages += range(int(first), int(last or first) + 1)
    return pages


@main.command()
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the pictures (default: beside the PDF, named after it).")
@click.option("--dpi", type=click.IntRange(20, 600), default=100, show_default=True,
              help="Resolution of the pictures.")
@click.option("--pages", callback=_page_list, metavar="LIST",
              help="Pages to render, e.g. 1,3-5 (default: all).")
@debug_option
def preview(pdf: Path, output: Path | None, dpi: int, pages: list[int]) -> None:
    """Render a PDF's pages as PNG pictures, to look at them without a PDF viewer."""
    from .products import raster

    target = output or pdf.with_name(f"{pdf.stem}-pages")
    try:
        written = raster.preview_files(pdf, target, dpi, pages)
    except raster.PdfError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {len(written)} picture{'s' if len(written) != 1 else ''} to "
               f"{display_path(target)}.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
