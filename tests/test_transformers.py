"""lrjit's schedulers inside a real ``transformers.Trainer`` run, against torch's.

A tiny BERT built from a config (no download) trains for 24 steps on random
tokens with ``optimizers=(opt, scheduler)``; the learning rates the Trainer
logs at every step with lrjit's scheduler must equal those with torch's.
"""

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import lrjit  # noqa: E402
from lrjit.optim import ScheduleLR  # noqa: E402
from lrjit.optim import lr_scheduler as lrjit_sched  # noqa: E402

STEPS = 24
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::UserWarning")]


class Tokens(torch.utils.data.Dataset):
    def __init__(self, n=16):
        g = torch.Generator().manual_seed(0)
        self.ids = torch.randint(0, 32, (n, 8), generator=g)
        self.labels = torch.randint(0, 2, (n,), generator=g)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def logged_lrs(make_scheduler, tmp_path):
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=32, hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
        intermediate_size=8, max_position_embeddings=16, num_labels=2,
    )
    model = transformers.BertForSequenceClassification(config)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), max_steps=STEPS, per_device_train_batch_size=4,
        logging_steps=1, report_to=[], use_cpu=True, save_strategy="no", disable_tqdm=True,
    )
    trainer = transformers.Trainer(
        model=model, args=args, train_dataset=Tokens(), optimizers=(opt, make_scheduler(opt))
    )
    trainer.train()
    return [row["learning_rate"] for row in trainer.state.log_history if "learning_rate" in row]


def test_trainer_logs_the_same_lrs_as_with_torchs_scheduler(tmp_path):
    def mine(opt):
        return lrjit_sched.OneCycleLR(opt, max_lr=1e-3, total_steps=STEPS)

    def torchs(opt):
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=STEPS)

    got = logged_lrs(mine, tmp_path / "lrjit")
    assert len(got) == STEPS and len(set(got)) > 2
    assert got == logged_lrs(torchs, tmp_path / "torch")


def test_trainer_with_a_schedule_lr(tmp_path):
    schedule = lrjit.warmup_cosine(1e-3, warmup_steps=6, decay_steps=STEPS)
    got = logged_lrs(lambda opt: ScheduleLR(opt, schedule), tmp_path)
    # the Trainer logs the lr used at each step (before that step's scheduler step)
    assert got == schedule.table(STEPS).tolist()


@pytest.mark.parametrize("name, kwargs", [("cosine", None),
                                          ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1})])
def test_trainer_with_lrjit_get_scheduler_logs_transformers_lrs(tmp_path, name, kwargs):
    from lrjit.optim import get_scheduler

    def mine(opt):
        return get_scheduler(name, opt, num_warmup_steps=6, num_training_steps=STEPS,
                             scheduler_specific_kwargs=kwargs)

    def theirs(opt):
        return transformers.get_scheduler(name, opt, num_warmup_steps=6,
                                          num_training_steps=STEPS,
                                          scheduler_specific_kwargs=kwargs)

    got = logged_lrs(mine, tmp_path / "lrjit")
    assert len(got) == STEPS and len(set(got)) > 2
    assert got == logged_lrs(theirs, tmp_path / "transformers")
