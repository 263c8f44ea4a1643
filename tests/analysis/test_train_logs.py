from crossover.analysis.load import load_study_data
from crossover.analysis.train_logs import dynamics_frame, endpoints


def test_dynamics_of_the_smoke_study(smoke_study):
    root, _, _ = smoke_study
    frame = dynamics_frame(load_study_data(root))
    dpo = frame[(frame.arm == "dpo(16)") & (frame.method == "dpo")]
    assert {"logps/chosen", "rewards/margins", "rewards/accuracies", "watch/kl", "watch/mean_words"} <= set(dpo.metric)
    ends = endpoints(frame).set_index(["arm", "stage", "metric"])
    assert ends.loc[("dpo(16)", 1, "watch/kl"), "start"] == 0.0
    assert ends.loc[("sft(16)>dpo(16)", 2, "watch/kl"), "end"] > 0.0
