import subprocess
import sys


def run_cli(*args, cwd):
    # The smoke study takes minutes on 2 busy CPU cores; the limit only guards against a hang.
    return subprocess.run([sys.executable, "-m", "crossover", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def test_bad_study_fails_before_training(tmp_path):
    study = tmp_path / "bad.toml"
    study.write_text('[study]\nname = "bad"\narms = ["sft(10)", "sft(10)>dpo(0)"]\n')
    result = run_cli("run", "--study", str(study), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{study}:3: field 'study.arms[1]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_preset_and_missing_file(tmp_path):
    result = run_cli("run", "--preset", "nope", cwd=tmp_path)
    assert result.returncode == 2 and "unknown preset 'nope'" in result.stderr
    result = run_cli("run", "--study", "missing.toml", cwd=tmp_path)
    assert result.returncode == 2 and "missing.toml: cannot read the study file" in result.stderr


def test_smoke_preset_from_the_command_line(tmp_path):
    result = run_cli("run", "--preset", "smoke", "--out", str(tmp_path / "s"), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "At SFT(16): 16 pairs vs 16 more demonstrations" in result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == f"report: {tmp_path / 's' / 'report.html'}"
    assert lines[-2] == f"markdown: {tmp_path / 's' / 'report.md'}"
