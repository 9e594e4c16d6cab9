using System.Text;
using CommerceManager.Accounts;
using CommerceManager.History;
using CommerceManager.Orders;
using CommerceManager.Privacy;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace CommerceManager.Tests.Privacy;

/// <summary>Accounts and their members on the timeline and under EP's Personal Data API: recorded, related, erased without a trace.</summary>
public sealed class AccountPrivacyTests : IAsyncLifetime
{
    private TestServices app = default!;

    public async Task InitializeAsync() => app = await TestServices.CreateAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>Quentin signs up (an account of his own), adds an address, checks out for his account; Ada is in the same store.</summary>
    private async Task<(Guid Member, Guid Account, Guid Order, Guid Bystander)> StoreAsync()
    {
        var settings = app.Get<AccountSettingsService>();
        await settings.UpdateAsync(As.Admin, new AccountSettingsInput(EnableSelfSignup: true, AutoCreateAccountForAccountMembers: true));
        var members = app.Get<AccountMemberService>();
        var profile = await members.CreateProfileAsync(As.Admin, new PasswordProfileInput("Passwords", PasswordProfiles.EmailFormat));
        var quentin = (await members.SignUpAsync(new AccountMemberService.SignUp(profile.Id, "quentin.zazzlewhirp@example.org", "correct horse battery staple",
            "Quentin Zazzlewhirp", "quentin.zazzlewhirp@example.org"))).Value;
        var ada = (await members.SignUpAsync(new AccountMemberService.SignUp(profile.Id, "ada@example.com", "correct horse battery staple", "Ada Lovelace",
            "ada@example.com"))).Value;
        await using var db = await app.DbAsync();
        var account = await db.AccountMemberships.Where(m => m.MemberId == quentin).Select(m => m.AccountId).SingleAsync();
        var home = CheckoutAndOrderTests.Billing();
        home.FirstName = "Quentin";
        home.LastName = "Zazzlewhirp";
        home.Line1 = "7 Zazzlewhirp Row";
        await app.Get<AccountAddressService>().CreateAsync(As.Admin, account, home);
        await app.Get<CartService>().AddItemAsync(As.Admin, "zazz-cart", new CartItemInput { Name = "Mug", Sku = "MUG", Quantity = 1, Price = 1500 });
        var order = (await app.Get<CheckoutService>().CheckoutAsync(As.Admin, "zazz-cart", new CheckoutInput
        {
            AccountId = account, AccountMemberId = quentin, Name = "Quentin Zazzlewhirp", Email = "quentin.zazzlewhirp@example.org",
            BillingAddress = home, ShippingAddress = home,
        })).Value!.Order.Id;
        return (quentin, account, order, ada);
    }

    [Fact]
    public async Task Account_and_member_changes_are_on_their_own_timelines_with_who_and_what()
    {
        var (member, account, _, _) = await StoreAsync();
        var accounts = app.Get<AccountService>();
        var current = (await accounts.GetAsync(As.Admin, account))!;

        // The console sets who acts for each event of a circuit; here, a representative.
        using (ChangeContext.Use(ChangeActor.From(As.Representative, ChangeActor.Console)))
        {
            await accounts.UpdateAsync(As.Representative, account, new AccountInput { Name = "Zazzle Ltd", LegalName = "Zazzle Limited" }, current.Version);
        }
        var history = app.Get<HistoryService>();
        var accountTimeline = (await history.TimelineAsync(As.Admin, account, new HistoryQuery())).Items;
        var memberTimeline = (await history.TimelineAsync(As.Admin, member, new HistoryQuery())).Items;

        var renamed = accountTimeline.First(e => e.Action == ChangeActions.Updated && e.ResourceType == "account");
        Assert.Contains(renamed.Changes, c => c.Field == "name" && c.From == "Quentin Zazzlewhirp" && c.To == "Zazzle Ltd");
        Assert.Equal("rep@example.com", renamed.Who);
        Assert.Contains(accountTimeline, e => e.ResourceType == "account-address" && e.Action == ChangeActions.Created);
        Assert.Contains(accountTimeline, e => e.ResourceType == "account-membership" && e.Action == ChangeActions.Created);
        Assert.Contains(memberTimeline, e => e.ResourceType == "account-member" && e.Action == ChangeActions.Created);
        // A password is recorded as set, never as a value.
        Assert.Contains(memberTimeline, e => e.ResourceType == "user-authentication-password-profile-info" && e.Changes.Any(c => c.Field == "password" && c.To == "set"));
    }

    [Fact]
    public async Task Related_data_entries_name_what_an_erasure_of_a_member_or_an_account_touches()
    {
        var (member, account, order, _) = await StoreAsync();
        var privacy = app.Get<PrivacyService>();

        var ofMember = await privacy.RelatedToAccountsAsync(As.Admin, "user-authentication-info", member);
        var ofAccount = await privacy.RelatedToAccountsAsync(As.Admin, "account", account);

        Assert.Contains(("account-member", member), ofMember);
        Assert.Contains(("order", order), ofMember);
        Assert.Contains(ofMember, r => r.ResourceType == "user-authentication-password-profile-info");
        Assert.Contains(ofMember, r => r.ResourceType == "account-membership");
        Assert.Contains(("account", account), ofAccount);
        Assert.Contains(("order", order), ofAccount);
        Assert.Contains(ofAccount, r => r.ResourceType == "address");
    }

    [Fact]
    public async Task Erasing_a_member_blanks_its_orders_clears_its_history_and_keeps_the_account_and_the_money()
    {
        var (member, account, order, bystander) = await StoreAsync();

        var erased = await app.Get<PrivacyService>().EraseAccountMemberAsync(As.Admin, member, "TICKET-9");

        Assert.True(erased.IsOk, erased.Error);
        await using var db = await app.DbAsync();
        Assert.False(await db.AccountMembers.AnyAsync(m => m.Id == member));
        Assert.False(await db.MemberPasswords.AnyAsync(p => p.MemberId == member));
        Assert.True(await db.Accounts.AnyAsync(a => a.Id == account));
        Assert.True(await db.AccountMembers.AnyAsync(m => m.Id == bystander));
        var kept = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == order);
        Assert.Equal(("", "", 1500L, account), (kept.CustomerName, kept.CustomerEmail, kept.Total, kept.AccountId!.Value));
        Assert.Null(kept.AccountMemberId);
        var timeline = (await app.Get<HistoryService>().TimelineAsync(As.Admin, member, new HistoryQuery())).Items;
        Assert.Equal(ChangeActions.Erased, timeline[0].Action);
        Assert.All(timeline.Skip(1), e => Assert.Empty(e.Changes));
        Assert.Equal("account-member", Assert.Single(await app.Get<PrivacyService>().ErasuresOfAsync(As.Admin, "user-authentication-info", member)).ResourceType);
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task After_a_member_is_erased_the_database_file_holds_no_trace_of_the_name_or_email()
    {
        var (member, account, _, _) = await StoreAsync();
        var file = new SqliteConnectionStringBuilder(app.Get<IConfiguration>().GetConnectionString("Default")).DataSource;
        Assert.True(Contains(file, "zazzlewhirp"), "the test must see the name in the file before the erasure");

        Assert.True((await app.Get<PrivacyService>().EraseAccountMemberAsync(As.Admin, member)).IsOk);
        // The account is named after the member (self sign-up) and holds the address: erasing it too leaves nothing.
        Assert.True((await app.Get<PrivacyService>().EraseAccountAsync(As.Admin, account)).IsOk);

        Assert.False(Contains(file, "zazzlewhirp"), Where(file, "zazzlewhirp"));
        Assert.False(Contains(file, "quentin"));
    }

    private static bool Contains(string databaseFile, string text) => Where(databaseFile, text) is not null;

    private static string? Where(string databaseFile, string text)
    {
        SqliteConnection.ClearAllPools();
        var needle = Encoding.UTF8.GetBytes(text.ToLowerInvariant());
        foreach (var path in new[] { databaseFile, databaseFile + "-wal" })
        {
            if (!File.Exists(path))
            {
                continue;
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] is >= (byte)'A' and <= (byte)'Z')
                {
                    bytes[i] = (byte)(bytes[i] + 32);
                }
            }
            if (bytes.AsSpan().IndexOf(needle) is >= 0 and var at)
            {
                var around = Encoding.ASCII.GetString(bytes, Math.Max(0, at - 60), Math.Min(160, bytes.Length - Math.Max(0, at - 60)))
                    .Select(c => c is >= ' ' and <= '~' ? c : '.').ToArray();
                return $"{Path.GetFileName(path)} at {at} (page {at / 4096 + 1}): {new string(around)}";
            }
        }
        return null;
    }
}
