using SeedGrains.Abstractions.Collaboration;
using SeedGrains.Abstractions.Errors;
using SeedGrains.Abstractions.Sessions;
using SeedGrains.Abstractions.Tenants;
using SeedGrains.Diffusion.Decoding;
using SeedGrains.Tests.Fakes;
using static SeedGrains.Grains.Tests.SessionWatching;

namespace SeedGrains.Grains.Tests;

public sealed class SessionGrainTests
{
    private const string Prefix = "αβγ 🌍\r\n\tdef f(x):\r\n    return ";
    private const string Replaced = "x * 2 + 1";
    private const string Suffix = "  # ✓ tail\n\n";
    private static readonly string Text = Prefix + Replaced + Suffix;
    // Budget rule (the training rule): tokens of the replaced text + max(4, ceil(25 %)).
    private static readonly int Budget = Replaced.Length + Math.Max(4, (Replaced.Length + 3) / 4); // one token per char (CharTokenizer)

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_committed_pad_ends_its_region_in_the_same_step(bool padEndsRegion)
    {
        // The fake commits the leftmost mask each step; its third token is a pad.
        var padAt = Prefix.Length + 2;
        var stepper = new FakeStepper { TokenFor = (_, p) => p == padAt ? CharTokenizer.Pad : CharTokenizer.IdOf((char)('a' + p % 26)) };
        await using var cluster = await TestCluster.Start(stepper, sessions: o => o.PadEndsRegion = padEndsRegion);
        var session = cluster.Session("t1", "pad");
        await session.Create(new CreateSessionRequest(Text, [new TextRegion(Prefix.Length, Prefix.Length + Replaced.Length)]));

        var final = (await session.UntilSettled())[^1].Snapshot;
        var expected = padEndsRegion
            ? FakeLetters(Prefix.Length, 2) // the pad is dropped, and so is every position after it
            : FakeLetters(Prefix.Length, 2) + FakeLetters(padAt + 1, Budget - 3); // pads are dropped; the model went on
        Assert.Equal(Prefix + expected + Suffix, final.Text);
        Assert.Equal(1 + (padEndsRegion ? 3 : Budget), final.Version);
    }

    [Fact]
    public async Task Each_region_says_where_its_first_mask_is_which_a_documents_own_mask_text_is_not()
    {
        // The fake commits the leftmost mask each step, one character each.
        await using var cluster = await TestCluster.Start(new FakeStepper());
        var session = cluster.Session("t1", "literal-mask");
        const string before = "MASK = \"<|mask|>\"\nx = ";
        await session.Create(new CreateSessionRequest(before + "12\n", [new TextRegion(before.Length, before.Length + 2)]));

        var snapshots = (await session.UntilSettled()).Select(e => e.Snapshot).Where(s => s.Masked > 0).ToList();
        Assert.NotEmpty(snapshots);
        foreach (var snapshot in snapshots)
        {
            var region = Assert.Single(snapshot.Regions);
            Assert.Equal(region.Start + (region.End - region.Start - region.Masked * SessionSnapshot.MaskPlaceholder.Length), region.FirstMask);
            Assert.Equal(SessionSnapshot.MaskPlaceholder, snapshot.Text.Substring(region.FirstMask, SessionSnapshot.MaskPlaceholder.Length));
            Assert.True(snapshot.Text.IndexOf(SessionSnapshot.MaskPlaceholder, StringComparison.Ordinal) < region.Start, "the document's own text comes first");
        }
    }

    [Fact]
    public async Task A_region_at_the_start_of_the_document_is_led_by_the_end_token()
    {
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "start");
        await session.Create(new CreateSessionRequest("ab = 1\n", [new TextRegion(0, 2)]));

        var final = (await session.UntilSettled())[^1].Snapshot;
        Assert.Equal(SessionStatus.Idle, final.Status);
        Assert.EndsWith(" = 1\n", final.Text, StringComparison.Ordinal);
        Assert.Equal(2 + 4 + " = 1\n".Length, final.Text.Length); // budget 2 + max(4, 1) letters
        // First step: [end, mask, mask, …]: a shifted model predicts the document's first token from the end token.
        var first = stepper.Batches.First()[0];
        Assert.Equal(CharTokenizer.End, first[0]);
        Assert.Equal(CharTokenizer.Mask, first[1]);
        Assert.DoesNotContain(stepper.Batches.Skip(1), b => b[0][0] == CharTokenizer.End && b[0][1] != CharTokenizer.Mask);
    }

    [Fact]
    public async Task Denoises_to_idle_and_keeps_text_outside_the_region_byte_identical()
    {
        await using var cluster = await TestCluster.Start();
        var session = cluster.Session("t1", "s1");

        var created = await session.Create(new CreateSessionRequest(Text, [new TextRegion(Prefix.Length, Prefix.Length + Replaced.Length)]));
        Assert.Equal(1, created.Version);
        Assert.Equal(SessionStatus.Denoising, created.Status);
        Assert.Equal(Budget, created.Masked);
        Assert.Equal(Prefix + string.Concat(Enumerable.Repeat(SessionSnapshot.MaskPlaceholder, Budget)) + Suffix, created.Text);

        var updates = await session.UntilSettled();
        var final = updates[^1].Snapshot;
        Assert.Equal(SessionStatus.Idle, final.Status);
        Assert.Equal(0, final.Masked);
        Assert.Empty(final.Regions);
        Assert.Equal(Prefix + FakeLetters(Prefix.Length, Budget) + Suffix, final.Text);
        Assert.StartsWith(Prefix, final.Text, StringComparison.Ordinal);
        Assert.EndsWith(Suffix, final.Text, StringComparison.Ordinal);
        // One commit per step (the fake commits one position per row): version 1 + one per step.
        Assert.Equal(1 + Budget, final.Version);
        Assert.Equal(final, await session.Get());
    }

    [Fact]
    public async Task Pad_and_end_tokens_committed_in_a_region_are_removed()
    {
        var stepper = new FakeStepper
        {
            CommitsPerRow = 4,
            TokenFor = (_, p) => (p % 3) switch { 0 => CharTokenizer.Pad, 1 => CharTokenizer.End, _ => CharTokenizer.IdOf('z') },
        };
        // Pads and ends interleaved with text (a model the pad-ends-region rule would cut short): all are removed.
        await using var cluster = await TestCluster.Start(stepper, sessions: o => o.PadEndsRegion = false);
        var session = cluster.Session("t1", "pads");
        await session.Create(new CreateSessionRequest("left()", [new TextRegion(5, 5, MaxTokens: 12)]));

        var final = (await session.UntilSettled())[^1].Snapshot;

        // Region at token positions 5..16: p % 3 == 2 → 'z' for p = 5, 8, 11, 14 → four z.
        Assert.Equal("left(zzzz)", final.Text);
        Assert.Equal(SessionStatus.Idle, final.Status);
    }

    [Fact]
    public async Task A_watcher_gets_the_snapshot_first_then_every_update_in_order()
    {
        var stepper = new FakeStepper();
        stepper.Gate.Reset();
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "watched");
        await session.Create(new CreateSessionRequest("abc", [new TextRegion(1, 2, MaxTokens: 5)]));
        await stepper.WhenCalls(1).WaitAsync(TimeSpan.FromSeconds(120)); // the first step reached the (closed) model

        // The model moves on only once the watcher is subscribed, so it must see every step.
        var updates = await session.UntilSettled(subscribed: stepper.Gate.Set);

        Assert.Equal(SessionUpdateKind.Snapshot, updates[0].Kind);
        Assert.Equal(1, updates[0].Snapshot.Version);
        Assert.Equal(5, updates[0].Snapshot.Masked);
        Assert.Equal(SessionStatus.Denoising, updates[0].Snapshot.Status);
        Assert.All(updates.Skip(1), u => Assert.Equal(SessionUpdateKind.Step, u.Kind));
        Assert.Equal(Enumerable.Range(1, 6).Select(v => (long)v), updates.Select(u => u.Snapshot.Version));
        Assert.Equal(new[] { 5, 4, 3, 2, 1, 0 }, updates.Select(u => u.Snapshot.Masked));
        Assert.Equal("a" + FakeLetters(1, 5) + "c", updates[^1].Snapshot.Text);
        Assert.Equal(SessionStatus.Idle, updates[^1].Snapshot.Status);
    }

    [Fact]
    public async Task A_stale_edit_is_rebased_over_the_models_steps_and_a_regenerate_fills_only_its_range()
    {
        await using var cluster = await TestCluster.Start();
        var session = cluster.Session("t1", "edits");
        await session.Create(new CreateSessionRequest(Text, [new TextRegion(0, 3)]));
        var idle = (await session.UntilSettled())[^1].Snapshot;

        // Two versions old: the model's last steps happened since; they never cause a conflict.
        var rebased = await session.Edit(new EditRequest(idle.Version - 2, [new TextEdit(0, 0, "x")], [], ClientId: "ann", EditId: "ann:1"));
        Assert.Equal(idle.Version + 1, rebased.Version);
        Assert.Equal("x" + idle.Text, rebased.Text);

        // Replace the tail's "tail" with "end", then regenerate the "def f" of the edited text.
        var tail = rebased.Text.IndexOf("tail", StringComparison.Ordinal);
        var edited = rebased.Text[..tail] + "end" + rebased.Text[(tail + 4)..];
        var def = edited.IndexOf("def f", StringComparison.Ordinal);
        var next = await session.Edit(new EditRequest(rebased.Version,
            [new TextEdit(tail, tail + 4, "end")],
            [new TextRegion(def, def + 5, MaxTokens: 3)]));
        Assert.Equal(rebased.Version + 2, next.Version); // the edits, then the masking
        Assert.Equal(SessionStatus.Denoising, next.Status);
        Assert.Equal(3, next.Masked);

        var final = (await session.UntilSettled())[^1].Snapshot;
        Assert.Equal(edited[..def] + FakeLetters(def, 3) + edited[(def + 5)..], final.Text);
        Assert.Equal(next.Version + 3, final.Version);
    }

    [Fact]
    public async Task A_base_that_left_the_log_and_an_overlap_with_another_persons_edit_are_the_only_conflicts()
    {
        await using var cluster = await TestCluster.Start(sessions: o => o.ChangeLog = new ChangeLogLimits { MinVersions = 2, MaxEntries = 2, MinAge = TimeSpan.Zero });
        var session = cluster.Session("t1", "conflicts");
        var created = await session.Create(new CreateSessionRequest("0123456789", []));
        var ann = await session.Edit(new EditRequest(created.Version, [new TextEdit(2, 4, "AB")], [], ClientId: "ann"));

        var conflict = await Assert.ThrowsAsync<EditConflictException>(() =>
            session.Edit(new EditRequest(created.Version, [new TextEdit(3, 5, "zz")], [], ClientId: "bob")));
        Assert.Equal((2, 4, ann.Version, ann.Version, "ann"), (conflict.Start, conflict.End, conflict.CurrentVersion, conflict.ConflictingVersion, conflict.ConflictingAuthor));
        // The same person's later edit over their own change merges.
        var merged = await session.Edit(new EditRequest(created.Version, [new TextEdit(3, 5, "zz")], [], ClientId: "ann"));
        Assert.Equal("01zz56789", merged.Text);

        await session.Edit(new EditRequest(merged.Version, [new TextEdit(0, 0, "!")], []));
        var old = await Assert.ThrowsAsync<BaseVersionTooOldException>(() =>
            session.Edit(new EditRequest(created.Version, [new TextEdit(0, 0, "late")], [])));
        Assert.Equal((merged.Version - 1, merged.Version + 1), (old.OldestBaseVersion, old.CurrentVersion));
    }

    [Fact]
    public async Task An_edit_into_a_region_still_generating_splits_it_and_the_rest_keeps_denoising()
    {
        var stepper = new FakeStepper();
        stepper.Gate.Reset();
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "busy-region");
        var created = await session.Create(new CreateSessionRequest("0123456789", [new TextRegion(4, 6, MaxTokens: 2)]));
        var region = Assert.Single(created.Regions);
        await stepper.WhenCalls(1); // a step is in flight while the edit lands

        // The person's text replaces the first mask's placeholder; "0" becomes "A" at the same time.
        var edited = await session.Edit(new EditRequest(created.Version,
            [new TextEdit(0, 1, "A"), new TextEdit(region.Start, region.Start + SessionSnapshot.MaskPlaceholder.Length, "!")], []));
        Assert.Equal(2, edited.Version);
        Assert.Equal("A123!" + SessionSnapshot.MaskPlaceholder + "6789", edited.Text);
        Assert.Equal(1, edited.Masked);

        stepper.Gate.Set();
        var final = (await session.UntilSettled())[^1].Snapshot;
        // The step that was in flight filled the first mask, which the person's text took: that commit is dropped; the
        // last mask fills at its new position (token 5).
        Assert.Equal("A123!" + FakeLetters(5, 1) + "6789", final.Text);
    }

    [Fact]
    public async Task A_step_in_flight_during_an_edit_elsewhere_commits_into_the_masks_where_they_moved()
    {
        var stepper = new FakeStepper();
        stepper.Gate.Reset();
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "typing-above");
        var created = await session.Create(new CreateSessionRequest("0123456789", [new TextRegion(4, 6, MaxTokens: 2)]));
        await stepper.WhenCalls(1); // the step for "0123" + 2 masks + "6789" is in flight

        var edited = await session.Edit(new EditRequest(created.Version, [new TextEdit(0, 0, "AB")], []));
        Assert.Equal("AB0123" + SessionSnapshot.MaskPlaceholder + SessionSnapshot.MaskPlaceholder + "6789", edited.Text);
        stepper.Gate.Set();
        var updates = await session.UntilSettled();

        // The step computed before the edit is not lost: its commit (the fake's letter for window position 4) lands in the
        // first mask, now two characters further; the next step fills the other mask at its new position 7.
        var final = updates[^1].Snapshot;
        Assert.Equal("AB0123" + FakeLetters(4, 1) + FakeLetters(7, 1) + "6789", final.Text);
        Assert.Equal(2, stepper.Calls);
        Assert.Equal(4, final.Version); // create, edit, two steps
    }

    [Fact]
    public async Task Cancel_stops_denoising_and_keeps_only_committed_tokens()
    {
        var stepper = new FakeStepper();
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "cancel");
        stepper.Gate.Reset();
        var created = await session.Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 50)]));
        await stepper.WhenCalls(1).WaitAsync(TimeSpan.FromSeconds(120)); // the first step reached the (closed) model

        var watching = session.UntilSettled();
        var cancelled = await session.Cancel();
        stepper.Gate.Set();

        Assert.Equal(SessionStatus.Cancelled, cancelled.Status);
        Assert.Equal(0, cancelled.Masked);
        Assert.Equal("ab", cancelled.Text);
        Assert.Equal(created.Version + 1, cancelled.Version);
        var updates = await watching;
        Assert.Equal(SessionStatus.Cancelled, updates[^1].Snapshot.Status);
        // The step that was in flight during the cancel has returned, so its reply is on its way to the session (a
        // grain call gives no signal of its arrival): neither it nor a second cancel may change the document.
        await stepper.WhenReturned(1).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(cancelled, await session.Cancel());
        Assert.Equal(cancelled, await session.Get());
        Assert.Equal(0, (await cluster.Tenant("t1").GetUsage()).ActiveSessions);
    }

    [Fact]
    public async Task Bad_ranges_and_unknown_sessions_are_rejected_with_specific_errors()
    {
        await using var cluster = await TestCluster.Start();
        var session = cluster.Session("t1", "bad");

        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => session.Create(new CreateSessionRequest("abc", [new TextRegion(2, 9)])));
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => session.Create(new CreateSessionRequest("abcdef", [new TextRegion(0, 3), new TextRegion(2, 4)])));
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => session.Create(new CreateSessionRequest("abc", [new TextRegion(3, 1)])));
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => session.Create(new CreateSessionRequest("a🌍", [new TextRegion(2, 3)])));
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => session.Create(new CreateSessionRequest("abc", [], MaxTextChars: 2)));
        await Assert.ThrowsAsync<InvalidSessionRequestException>(() => session.Create(new CreateSessionRequest("abc", [new TextRegion(0, 0, MaxTokens: 0)])));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => session.Get());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => cluster.Session("t1", "nobody").Edit(new EditRequest(1, [], [])));
    }

    [Fact]
    public async Task A_long_document_sends_the_model_only_a_window_around_the_region()
    {
        var stepper = new FakeStepper(maxWindow: 64);
        await using var cluster = await TestCluster.Start(stepper);
        var text = string.Concat(Enumerable.Range(0, 40).Select(i => $"line {i:D3}\n"));
        var start = text.IndexOf("line 020", StringComparison.Ordinal);
        var session = cluster.Session("t1", "long");
        await session.Create(new CreateSessionRequest(text, [new TextRegion(start, start + 8, MaxTokens: 10)]));

        var final = (await session.UntilSettled())[^1].Snapshot;

        Assert.All(stepper.Batches.SelectMany(b => b), row => Assert.Equal(64, row.Length));
        Assert.True(text.Length > 64 * 4);
        Assert.StartsWith(text[..start], final.Text, StringComparison.Ordinal);
        Assert.EndsWith(text[(start + 8)..], final.Text, StringComparison.Ordinal);
        Assert.Equal(text.Length - 8 + 10, final.Text.Length);
        Assert.DoesNotContain(SessionSnapshot.MaskPlaceholder, final.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_survives_deactivation()
    {
        await using var cluster = await TestCluster.Start();
        var session = cluster.Session("t1", "durable");
        await session.Create(new CreateSessionRequest("hello world", [new TextRegion(0, 5, MaxTokens: 2)]));
        var idle = (await session.UntilSettled())[^1].Snapshot;

        await cluster.Cluster.DeactivateAsync(session);

        Assert.Equal(idle, await session.Get());
    }

    [Fact]
    public async Task A_session_deactivated_mid_denoising_resumes_from_its_state_with_a_version_jump()
    {
        var stepper = new FakeStepper();
        stepper.Gate.Reset();
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "resume");
        await session.Create(new CreateSessionRequest("[]", [new TextRegion(1, 1, MaxTokens: 200)]));
        await stepper.WhenCalls(1).WaitAsync(TimeSpan.FromSeconds(120)); // the first step reached the (closed) model

        // Deactivation waits for the running step (one tick), so the model opens as soon as deactivation is asked for.
        // That step may still apply before the activation goes, and the leaving activation then saves it (version 2,
        // 199 masks). Either way a state at version v holds 200 - (v - 1) masks, so every resume lands on version 202.
        var deactivating = cluster.Cluster.DeactivateAsync(session);
        stepper.Gate.Set();
        await deactivating;
        var resumed = await session.Get();

        // Steps lost with the activation could have shown up to version v + masks: the resume skips past them.
        // (A step of the new activation may already have run: each adds one version and removes one mask.)
        Assert.True(resumed.Version >= 202, $"resumed at version {resumed.Version}");
        var masksAtResume = resumed.Masked + (int)(resumed.Version - 202);
        Assert.True(masksAtResume is 200 or 199, $"{masksAtResume} masks at the resume");
        Assert.Equal(SessionStatus.Denoising, resumed.Status);
        var final = (await session.UntilSettled())[^1].Snapshot;
        Assert.Equal("[" + FakeLetters(1, 200) + "]", final.Text);
        Assert.Equal(202 + masksAtResume, final.Version);
    }

    [Fact]
    public async Task A_tenant_over_its_concurrent_session_quota_is_refused()
    {
        var stepper = new FakeStepper();
        stepper.Gate.Reset();
        await using var cluster = await TestCluster.Start(stepper);
        await cluster.Tenant("small").SetQuotas(new TenantQuotas(MaxConcurrentSessions: 1));
        await cluster.Session("small", "one").Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 2)]));

        await Assert.ThrowsAsync<QuotaExceededException>(() =>
            cluster.Session("small", "two").Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 2)])));
        // A session without regions needs no slot.
        var plain = await cluster.Session("small", "three").Create(new CreateSessionRequest("ab", []));
        Assert.Equal(SessionStatus.Idle, plain.Status);

        stepper.Gate.Set();
        await cluster.Session("small", "one").UntilSettled();
        await Eventually(async () => (await cluster.Tenant("small").GetUsage()).ActiveSessions == 0, "the slot to be released");
        var usage = await cluster.Tenant("small").GetUsage();
        Assert.Equal(2, usage.TokensGenerated);
        await cluster.Session("small", "two").Create(new CreateSessionRequest("ab", [new TextRegion(1, 1, MaxTokens: 2)]));
    }

    [Fact]
    public async Task A_failing_model_fails_the_session_with_its_message()
    {
        var stepper = new FakeStepper { TokenFor = (_, _) => throw new InvalidOperationException("tensor shapes [2,7] and [3,7] do not match") };
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "broken");
        await session.Create(new CreateSessionRequest("abc", [new TextRegion(1, 2, MaxTokens: 3)]));

        var final = (await session.UntilSettled())[^1].Snapshot;

        Assert.Equal(SessionStatus.Failed, final.Status);
        Assert.Contains("tensor shapes [2,7] and [3,7] do not match", final.Error, StringComparison.Ordinal);
        Assert.Equal("ac", final.Text);
        Assert.Equal(0, (await cluster.Tenant("t1").GetUsage()).ActiveSessions);
    }

    [Fact]
    public async Task A_model_that_breaks_the_step_contract_fails_the_session()
    {
        // Commits window position 0, which holds the fixed 'a', not a mask.
        var stepper = new FakeStepper { Override = _ => new DenoiseStepResult([new TokenCommit(0, CharTokenizer.IdOf('q'), 0.99f)]) };
        await using var cluster = await TestCluster.Start(stepper);
        var session = cluster.Session("t1", "liar");
        await session.Create(new CreateSessionRequest("abc", [new TextRegion(1, 2, MaxTokens: 2)]));

        var final = (await session.UntilSettled())[^1].Snapshot;

        Assert.Equal(SessionStatus.Failed, final.Status);
        Assert.Contains("not a masked position", final.Error, StringComparison.Ordinal);
        Assert.Equal("ac", final.Text);
    }
}
