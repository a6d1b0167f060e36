"""lrjit's schedulers inside a real ``lightning.Trainer.fit`` (CPU), against torch's.

Each case trains a tiny model twice -- once with lrjit's scheduler, once with
torch's -- for 4 epochs of 4 steps, checkpointing every epoch, then resumes
each from its epoch-2 checkpoint in a new Trainer.  The learning rates the
optimizer held at every training step, in the straight run and in the resumed
one, must be identical between the two.  Lightning accepts a scheduler only
if it is a ``torch.optim.lr_scheduler.LRScheduler`` (and passes the metric
only to a ``ReduceLROnPlateau``), which lrjit's are when torch is imported.
"""

import math

import pytest

torch = pytest.importorskip("torch")
lightning = pytest.importorskip("lightning")

import lrjit  # noqa: E402
from lrjit.optim import ScheduleLR  # noqa: E402
from lrjit.optim import lr_scheduler as lrjit_sched  # noqa: E402

TL = torch.optim.lr_scheduler
EPOCHS, BATCHES = 4, 4

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::UserWarning"),  # Lightning's tips (workers, logging)
]


def cosine_multiplier(k):  # ScheduleLR's multiplier written out, for torch's LambdaLR
    return 0.5 * (1.0 + math.cos(math.pi * min(k, 16) / 16))


CASES = {
    # name: (scheduler config for lib, exact?)
    "step-interval": (
        lambda lib, opt: lib.OneCycleLR(opt, max_lr=0.1, total_steps=EPOCHS * BATCHES),
        {"interval": "step"},
    ),
    "epoch-interval": (
        lambda lib, opt: lib.CosineAnnealingLR(opt, T_max=EPOCHS),
        {"interval": "epoch"},
    ),
    "plateau": (
        lambda lib, opt: lib.ReduceLROnPlateau(opt, patience=0, threshold=0.9, factor=0.5),
        {"interval": "epoch", "monitor": "train_loss"},
    ),
    "schedule-lr": (
        lambda lib, opt: (
            ScheduleLR(opt, lrjit.cosine(1.0, decay_steps=16), relative=True)
            if lib is lrjit_sched
            else TL.LambdaLR(opt, cosine_multiplier)
        ),
        {"interval": "step"},
    ),
}


class Tiny(lightning.LightningModule):
    def __init__(self, lib, case):
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, 1)
        self.lib, self.case = lib, case
        self.lrs = []

    def training_step(self, batch, _):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def on_train_batch_start(self, batch, batch_idx):
        self.lrs.append(self.trainer.optimizers[0].param_groups[0]["lr"])

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
        make, options = CASES[self.case]
        return {"optimizer": opt, "lr_scheduler": {"scheduler": make(self.lib, opt), **options}}

    def train_dataloader(self):
        g = torch.Generator().manual_seed(1)
        x = torch.randn(4 * BATCHES, 4, generator=g)
        data = torch.utils.data.TensorDataset(x, x.sum(1, keepdim=True))
        return torch.utils.data.DataLoader(data, batch_size=4)


def trainer(tmp_path, **kw):
    return lightning.Trainer(
        max_epochs=EPOCHS, accelerator="cpu", devices=1, logger=False,
        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp_path, **kw,
    )


def run(lib, case, tmp_path):
    """The lrs of a straight run, and of a run resumed from its epoch-2 checkpoint."""
    ckpt = lightning.pytorch.callbacks.ModelCheckpoint(
        dirpath=tmp_path, save_top_k=-1, every_n_epochs=1, filename="{epoch}"
    )
    straight = Tiny(lib, case)
    trainer(tmp_path, callbacks=[ckpt]).fit(straight)
    resumed = Tiny(lib, case)
    trainer(tmp_path).fit(resumed, ckpt_path=tmp_path / "epoch=1.ckpt")
    return straight.lrs, resumed.lrs


@pytest.mark.parametrize("case", sorted(CASES))
def test_lightning_fit_and_resume_match_torch(case, tmp_path):
    mine = run(lrjit_sched, case, tmp_path / "lrjit")
    ref = run(TL, case, tmp_path / "torch")
    straight, resumed = mine
    assert len(straight) == EPOCHS * BATCHES and len(resumed) == (EPOCHS - 2) * BATCHES
    if case == "schedule-lr":  # a compiled cosine against math.cos: a few ulps
        for a, b in zip(straight + resumed, ref[0] + ref[1]):
            assert math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-18)
    else:
        assert mine == ref
    if case != "plateau":
        # resuming changed nothing (a plateau checkpoint is saved before the epoch's
        # metric-driven step, in Lightning, for torch's scheduler alike: compared above)
        assert resumed == straight[2 * BATCHES:]
    assert len(set(straight)) > 1  # the lr did move


def test_lightning_refuses_a_non_scheduler_so_the_isinstance_matters(tmp_path):
    class Plain(Tiny):
        def configure_optimizers(self):
            opt = torch.optim.SGD(self.parameters(), lr=0.1)
            duck = type("Duck", (), {"step": lambda self: None, "state_dict": lambda self: {},
                                     "load_state_dict": lambda self, s: None})()
            duck.optimizer = opt  # torch's API, duck-typed: what lrjit's were before
            return {"optimizer": opt, "lr_scheduler": duck}

    with pytest.raises(Exception, match="LRScheduler"):
        trainer(tmp_path, max_steps=1).fit(Plain(lrjit_sched, "step-interval"))
