"""The `takehome` command: new, check, build, serve, package, preview. Thin: the work is
elsewhere."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import IO, Any

import click

from . import __version__, allocator, progress, scaffold
from .build import pipeline, shards
from .build.incremental import Cache
from .errors import BuildError, ContentError, Problem, display_path, raise_if_any, warnings_report
from .files import find_root


def _report_warnings(warnings: list[Problem]) -> None:
    if warnings:
        click.echo(warnings_report(warnings), err=True)


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
strict_option = click.option("--strict", is_flag=True,
                             help="Treat warnings as errors: exit 1 and write nothing (for CI).")


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="takehome")
def main() -> None:
    """Printable school-to-home documents from YAML, a class roster and templates."""
    allocator.give_back()  # a build of thousands of families frees large blocks by the thousand
    allocator.collect_less()  # and holds millions of objects the collector would walk


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@debug_option
def new(directory: Path) -> None:
    """Start a new project in DIRECTORY with sample content to edit."""
    created = scaffold.create(directory)
    click.echo(f"Created a project in {display_path(created)}.")
    click.echo(f"Put your class roster in {display_path(created / 'content')} (see roster: in "
               f"settings.yaml) and check it with: takehome roster {display_path(created)}")
    click.echo(f"Edit {display_path(created / 'content')}, then run: takehome build "
               f"{display_path(created)}")


@main.command()
@project_argument
@strict_option
@debug_option
def check(directory: Path, strict: bool) -> None:
    """Validate everything without rendering PDFs."""
    from . import products

    project, warnings = pipeline.check(directory, strict)
    listings, product_warnings = products.load_products(project)
    raise_if_any([], product_warnings if strict else [])
    _report_warnings(warnings + product_warnings)
    counted = f", {len(listings)} product{'s' if len(listings) != 1 else ''}" if listings else ""
    click.echo(f"{len(project.documents)} documents and {len(project.roster.students)} students"
               f"{counted}: no errors.")


@main.command(name="roster")
@project_argument
@debug_option
def roster_command(directory: Path) -> None:
    """Show what takehome understood of the roster: columns, students, languages, rows left out."""
    from .build.load import load_settings_and_roster
    from .roster import explain

    roster, editions, warnings = load_settings_and_roster(directory)
    click.echo(explain(roster, editions))
    _report_warnings(warnings)


def _shard(_ctx: click.Context, _param: click.Parameter,
           value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    if value == "auto":
        try:
            return shards.from_environment(os.environ)
        except shards.NoShard as exc:
            raise click.BadParameter(str(exc)) from None
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter("use K/N, e.g. 2/4, or auto") from None
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
              help="Typeset only the K-th of N parts into the cache; `auto`: K and N from a "
                   "Slurm array or Kubernetes Indexed Job (see docs/scale-out.md).")
@click.option("--join", is_flag=True,
              help="Write the output from what the shards left in the cache, typesetting "
                   "nothing; fails naming the shards whose documents are missing.")
@click.option("--watch", is_flag=True, help="Rebuild whenever a content or template file changes.")
@strict_option
@debug_option
def build(directory: Path, output: Path | None, only: tuple[str, ...], jobs: int,
          shard: tuple[int, int] | None, join: bool, watch: bool, strict: bool) -> None:
    """Render the project's documents into PDFs."""
    if sum((shard is not None, join, watch)) > 1:
        raise click.UsageError("--shard, --join and --watch cannot be used together")
    options = pipeline.Options(output=output, only=only, jobs=jobs, shard=shard, join=join,
                               progress=progress.reporter(), strict=strict)
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


@main.group()
def translations() -> None:
    """Translations of the content: what is missing, for a translator, and back again."""


@translations.command(name="export")
@project_argument
@click.option("--lang", "languages", multiple=True, metavar="CODE",
              help="Only this language (e.g. es, ar); repeatable. Default: every edition.")
@click.option("--format", "fmt", type=click.Choice(["po", "csv"]), default="po",
              show_default=True, help="A PO file per language, or one CSV with a column each.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), help="The folder to write into (default: here).")
@debug_option
def translations_export(directory: Path, languages: tuple[str, ...], fmt: str,
                        output: Path) -> None:
    """Write every text an edition prints untranslated, for a translator to fill in."""
    from . import i18n
    from .translations import files, report

    codes = []
    for given in languages:
        code = i18n.parse_language(given)
        if code is None:
            raise click.BadParameter(f"{given!r} is not a language", param_hint="--lang")
        codes.append(code)
    project, _ = pipeline.check(directory)
    wanted = report.wanted(project, codes)
    if not wanted:
        click.echo("Nothing to translate: every edition has all its texts.")
        return
    output.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "csv":
        target = output / "missing-translations.csv"
        target.write_bytes(files.write_csv_file(wanted))
        written.append(target)
    else:
        for lang in sorted({w.lang for w in wanted}):
            target = output / f"missing-{lang}.po"
            target.write_bytes(files.write_po_file(
                lang, [w for w in wanted if w.lang == lang], project.default_language))
            written.append(target)
    for target in written:
        click.echo(f"Wrote {display_path(target)}")
    click.echo(f"{len({w.source for w in wanted})} texts to translate; fill them in, then run "
               "`takehome translations import FILE`.")


@translations.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_argument
@debug_option
def translations_import(file: Path, directory: Path) -> None:
    """Check a filled PO or CSV file and add its translations to content/translations/."""
    from .errors import Problems
    from .translations import files

    problems = Problems()
    written = files.import_filled(find_root(directory), file, problems)
    _report_warnings(problems.warnings)
    if not written:
        click.echo(f"{display_path(file)} has no translations filled in yet.")
    for lang, count in written.items():
        click.echo(f"{count} {lang} translation{'s' if count != 1 else ''} added to "
                   f"content/translations/{lang}.po")
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


@main.command()
@project_argument
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to listen on. Anything but this machine (127.0.0.1, localhost) "
                   "lets others on the network reach the roster's pages.")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default: 8000, or the next free one; 0: any free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the browser.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0,
              help="Typesetting processes (default: one per core).")
@debug_option
def serve(directory: Path, host: str, port: int | None, open_browser: bool, jobs: int) -> None:
    """Preview every page in the browser, rebuilt as you save; log contacts from there."""
    from . import serve as preview

    if not preview.is_loopback(host):
        click.secho(f"Warning: listening on {host}, not only on this machine. Anyone who can "
                    "reach it and has the address printed below can see every page, and rosters "
                    "are children's data: use --host only on a network you trust.",
                    fg="yellow", err=True)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    served = logging.getLogger("takehome.serve")
    served.addHandler(handler)
    served.setLevel(logging.DEBUG if logging.getLogger().level == logging.DEBUG else logging.INFO)
    served.propagate = False
    try:
        preview.serve(directory, preview.ServeOptions(host, port, open_browser, jobs),
                      announce=lambda line: click.echo(f"INFO    -  {line}", err=True))
    except preview.ServeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("INFO    -  Stopped.", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
