// Each browser test starts its own app and Chromium; on a 2-core machine running them side by side makes
// timings swing, so they run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
