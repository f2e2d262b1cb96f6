"""``backup --dir … --keep N``: the scheduled backup names its file by the time and keeps the N newest."""

import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args) -> str:
    out = StringIO()
    call_command("backup", *args, stdout=out)
    return out.getvalue()


def test_keep_deletes_the_oldest_backups_and_nothing_else(demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    backups = tmp_path / "backups"
    backups.mkdir()
    run("--output", str(backups / "oldest.zip"))
    run("--output", str(backups / "older.zip"))
    (backups / "notes.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip, not a backup
    with zipfile.ZipFile(backups / "photos.zip", "w") as other:
        other.writestr("manifest.json", '{"format": "something-else", "created_at": "2000-01-01"}')
    (backups / "cut-short.zip").write_bytes((backups / "older.zip").read_bytes()[:100])
    (backups / "readme.txt").write_text("备份目录", encoding="utf-8")

    output = run("--dir", str(backups), "--keep", "2")

    newest = [path.name for path in backups.glob("unionledger-*.zip")]
    assert len(newest) == 1 and newest[0].startswith("unionledger-20")
    assert {path.name for path in backups.iterdir()} == {
        "older.zip",
        newest[0],
        "notes.zip",
        "photos.zip",
        "cut-short.zip",
        "readme.txt",
    }
    assert output.splitlines() == [
        f"已备份到 {backups / newest[0]}：凭证 37 张，附件 0 个",
        f"已删除旧备份 {backups / 'oldest.zip'}",
    ]
    # Nothing more to prune: the two newest stay.
    assert run("--dir", str(backups), "--keep", "3").count("已删除旧备份") == 0


def test_keep_one_leaves_only_the_backup_just_made(demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    run("--output", str(tmp_path / "a.zip"))
    run("--output", str(tmp_path / "b.zip"), "--keep", "1")
    assert sorted(path.name for path in tmp_path.glob("*.zip")) == ["b.zip"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dir", "{tmp}", "--keep", "0"], "--keep 至少为 1"),
        (["--dir", "{tmp}/missing"], "备份目录不存在：{tmp}/missing"),
        (["--output", "{tmp}/missing/x.zip"], "备份目录不存在：{tmp}/missing"),
    ],
)
def test_bad_arguments_are_refused_in_chinese_and_nothing_is_written(db, tmp_path, args, message):
    with pytest.raises(CommandError) as refused:
        run(*[arg.format(tmp=tmp_path) for arg in args])
    assert str(refused.value) == message.format(tmp=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_output_and_dir_exclude_each_other(db, tmp_path):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("--output", str(tmp_path / "x.zip"), "--dir", str(tmp_path))
