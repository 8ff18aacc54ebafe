"""`minutebook people`, `person` and `entity`: who and what, by any spelling."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ingest.errors import PipelineError
from search.cli_common import CONTEXT, Home, echo_err, emit_rows, output_options


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to a default one."""

    default_command = "find"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group("people", cls=DefaultGroup, invoke_without_command=True,
            context_settings=CONTEXT)
@click.pass_context
def people_group(ctx: click.Context) -> None:
    """Find people by any spelling of their name, and correct who is who.

    \b
    Example:
      minutebook people Benmoor
      minutebook people merge "Joe Benmore" "Joseph Benmore"
      minutebook people split "Sarah Newton" "Sara Newton"
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(people_find, name=None)


@people_group.command("find", context_settings=CONTEXT)
@click.argument("name", required=False)
@click.option("--limit", "-n", type=click.IntRange(1, 1000), default=20, show_default=True)
@output_options
@click.pass_obj
def people_find(home: Home, name: str | None, limit: int = 20, as_json: bool = False,
                as_csv: bool = False) -> None:
    """People whose name or any alias fuzzily matches NAME (everyone when no NAME)."""
    from search.people import find_people

    with home.store() as store:
        found = [p.to_dict() for p in find_people(store, name, limit)]
    emit_rows(found, as_json, as_csv, _show_person)
    if not found:
        echo_err(f"no person matches {name!r}")
        sys.exit(1)


def _show_person(p: dict[str, Any]) -> str:
    aka = f" (also {', '.join(p['aliases'])})" if p["aliases"] else ""
    roles = "; ".join(p["roles"] + p["organisations"])
    return f"{p['name']}{aka} · {p['meetings']} meetings · {roles}  [{p['id']}]"


def _correct(home: Home, action: str, a: str, b: str) -> None:
    from index.people import add_correction, corrections_path, resolve_store_people

    with home.store() as store:
        try:
            added = add_correction(corrections_path(store), action, a, b)
            count = resolve_store_people(store)
        except PipelineError as exc:
            raise click.ClickException(str(exc)) from exc
        path = corrections_path(store)
    echo_err(f"{'recorded' if added else 'already recorded'}: {action} {a!r} {b!r} "
             f"in {path}; {count} people")


@people_group.command("merge", context_settings=CONTEXT)
@click.argument("name_a")
@click.argument("name_b")
@click.pass_obj
def people_merge(home: Home, name_a: str, name_b: str) -> None:
    """Record that two spellings are one person (kept across re-ingest)."""
    _correct(home, "merge", name_a, name_b)


@people_group.command("split", context_settings=CONTEXT)
@click.argument("name_a")
@click.argument("name_b")
@click.pass_obj
def people_split(home: Home, name_a: str, name_b: str) -> None:
    """Record that two spellings are different people (kept across re-ingest)."""
    _correct(home, "split", name_a, name_b)


@click.command(context_settings=CONTEXT)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the whole profile as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the attendance rows as CSV.")
@click.pass_obj
def person(home: Home, name: str, as_json: bool, as_csv: bool) -> None:
    """One person: attendance by meeting and year, roles, items presented, actions owned.

    \b
    Example:
      minutebook person "Joe Benmore"
    """
    from search.people import find_people, person_profile

    with home.store() as store:
        found = find_people(store, name, limit=2)
        if not found:
            echo_err(f"no person matches {name!r}; try `minutebook people {name}`")
            sys.exit(1)
        profile = person_profile(store, found[0])
    if as_json:
        click.echo(json.dumps(profile, ensure_ascii=False, indent=2))
        return
    if as_csv:
        emit_rows(profile["attendance"], False, True, str)
        return
    click.echo(_show_person(found[0].to_dict()))
    _print_profile(profile)


def _print_profile(profile: dict[str, Any]) -> None:
    click.echo("attendance:")
    for r in profile["attendance"]:
        what = ", ".join(x for x in (r["role"], r["organisation"]) if x)
        click.echo(f"  {r['date']}  {r['status']:<13} {r['body'] or ''}  {what}  "
                   f"({r['source']} p.{r['page']})")
    click.echo("by year: " + "; ".join(
        f"{y}: " + ", ".join(f"{n} {s}" for s, n in c.items())
        for y, c in profile["attendance_by_year"].items()))
    for title, key in (("items presented", "items_presented"), ("actions owned", "actions_owned"),
                       ("mentions", "mentions")):
        click.echo(f"{title}:")
        for r in profile[key]:
            label = r.get("title") or r.get("text")
            click.echo(f"  {r['date']}  {label}  ({r['source']} p.{r['page']})")


@click.command(context_settings=CONTEXT)
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the whole profile as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the mention rows as CSV.")
@click.pass_obj
def entity(home: Home, name: str, as_json: bool, as_csv: bool) -> None:
    """An organisation, programme or place: spellings, mentions by year and page, actions.

    \b
    Example:
      minutebook entity MOPAC
    """
    from search.people import entity_profile

    with home.store() as store:
        profile = entity_profile(store, name)
    if profile is None:
        echo_err(f"no organisation, programme or place matches {name!r}")
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(profile, ensure_ascii=False, indent=2))
        return
    if as_csv:
        emit_rows(profile["mentions"], False, True, str)
        return
    click.echo(f"{profile['entity_id']} ({profile['label']}): "
               f"{', '.join(profile['spellings'])}")
    click.echo("mentions by year: " + ", ".join(
        f"{y} {n}" for y, n in profile["mentions_by_year"].items()))
    for r in profile["mentions"]:
        click.echo(f"  {r['date']}  {r['text']}  {r['title']}  ({r['source']} p.{r['page']})")
    for r in profile["actions_owned"]:
        click.echo(f"  action {r['date']}: {r['text']} (owner {r['owner']}, {r['source']} "
                   f"p.{r['page']})")
