using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Exports;
using CommerceManager.Orders;
using CommerceManager.Querying;
using CommerceManager.Tests.Infrastructure;
using CommerceManager.Tests.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Exports;

/// <summary>
/// Exports as EP's exporter runs them (<c>/v2/jobs</c>) and as the console starts them: a job that goes PENDING →
/// STARTED → SUCCESS, and a file a spreadsheet (or a script) opens.
/// </summary>
public sealed class ExportJobTests(AppFactory app) : IClassFixture<AppFactory>, IAsyncLifetime
{
    private static readonly string Domain = $"export-{Guid.NewGuid():N}.example";

    public async Task InitializeAsync()
    {
        var designer = app.Services.GetRequiredService<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        var values = app.Services.GetRequiredService<CustomFieldValues>();
        if ((await values.FieldsAsync(Flow.Customers)).All(f => f.Slug != "loyalty"))
        {
            await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Loyalty", Slug = "loyalty", Type = FieldType.String });
            await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Points", Slug = "points", Type = FieldType.Integer });
            values.Invalidate();
        }
        var customers = app.Services.GetRequiredService<CustomerService>();
        if ((await customers.ListAsync(As.Viewer, new CustomerQuery($"like(email,*@{Domain})"))).Total == 0)
        {
            var zoe = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Zoë Quote, \"Q\"", Email = $"zoe@{Domain}", ExternalRef = "=1+2",
                Custom = new() { ["loyalty"] = JsonValue.Create("Gold"), ["points"] = JsonValue.Create(42) } })).Value!;
            await customers.CreateAsync(As.Admin, new CustomerInput { Name = "@Plain Person", Email = $"plain@{Domain}", Password = "a long enough password 1" });
            var addresses = app.Services.GetRequiredService<AddressService>();
            await addresses.CreateAsync(As.Admin, zoe.Id, Address("Home", "1 Rue de l'Église"));
            await addresses.CreateAsync(As.Admin, zoe.Id, Address("Office", "-2 Minus Street"));
        }
    }

    private static AddressInput Address(string name, string line1) => new()
    {
        Name = name, FirstName = "Zoë", LastName = "Quote", Line1 = line1, City = "Paris", County = "Île-de-France", Postcode = "75001", Country = "FR",
    };

    public Task DisposeAsync() => Task.CompletedTask;

    internal static async Task<JsonObject> FinishedAsync(ApiClient api, string id)
    {
        for (var i = 0; i < 300; i++)
        {
            var job = (await ApiClient.ExpectAsync(await api.GetAsync($"/v2/jobs/{id}"), HttpStatusCode.OK))["data"]!.AsObject();
            if (job["status"]!.GetValue<string>() is "SUCCESS" or "FAILED")
            {
                return job;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Job {id} did not finish.");
    }

    /// <summary>Follows the job's file link the way a script would: no token on the download itself.</summary>
    private async Task<byte[]> DownloadAsync(ApiClient api, JsonObject job)
    {
        var link = job["link"]!["href"]!.GetValue<string>();
        Assert.EndsWith($"/v2/jobs/{job["id"]}/file", link);
        var file = await ApiClient.ExpectAsync(await api.GetAsync(new Uri(link).PathAndQuery), HttpStatusCode.OK);
        var href = file["data"]!["href"]!.GetValue<string>();
        Assert.Equal(href, file["href"]!.GetValue<string>());
        var response = await app.CreateBrowserlessClient().GetAsync(new Uri(href).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static string[] CsvLines(byte[] bytes)
    {
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]); // UTF-8 with a BOM: spreadsheet apps read the accents
        return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task A_customer_export_job_runs_to_success_and_its_link_downloads_csv_with_custom_fields_addresses_and_formulas_neutralised()
    {
        var api = await ApiClient.ClientCredentialsAsync(app);

        var created = (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs",
            new { type = "job", job_type = "customer_export", filter = $"like(email,*@{Domain})", sort = "name" }), HttpStatusCode.Accepted))["data"]!.AsObject();
        Assert.Equal("job", created["type"]!.GetValue<string>());
        Assert.Equal("customer_export", created["job_type"]!.GetValue<string>());
        Assert.Equal("PENDING", created["status"]!.GetValue<string>());
        Assert.Equal("", created["link"]!["href"]!.GetValue<string>());
        Assert.NotNull(created["timestamps"]!["created_at"]);
        var job = await FinishedAsync(api, created["id"]!.GetValue<string>());

        Assert.Equal("SUCCESS", job["status"]!.GetValue<string>());
        Assert.Equal(2, job["meta"]!["rows_done"]!.GetValue<int>());
        var lines = CsvLines(await DownloadAsync(api, job));
        Assert.Equal(3, lines.Length);
        Assert.Equal("id,name,email,external_ref,password_set,created_at,updated_at,order_count,orders_total,last_order_at,loyalty,points,address_count,"
            + string.Join(",", CommerceManager.DataTransfer.ExportRows.AddressColumns), lines[0]);
        Assert.Contains($",'@Plain Person,plain@{Domain},,true,", lines[1]);
        Assert.EndsWith(",,,0,,,,,,,,,,,,,", lines[1]);
        Assert.Contains($",\"Zoë Quote, \"\"Q\"\"\",zoe@{Domain},'=1+2,false,", lines[2]);
        Assert.Contains(",Gold,42,2,Home,Zoë,Quote,,1 Rue de l'Église,,Paris,,Île-de-France,75001,FR,,", lines[2]);
        Assert.DoesNotContain("AQAAAA", string.Join("\n", lines)); // no password hash, only set / not set
    }

    [Fact]
    public async Task Json_lines_carry_typed_values_and_every_address()
    {
        var api = await ApiClient.ClientCredentialsAsync(app);
        var created = (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs",
            new { job_type = "customer_export", filter = $"eq(email,zoe@{Domain})", format = "jsonl" }), HttpStatusCode.Accepted))["data"]!.AsObject();
        var job = await FinishedAsync(api, created["id"]!.GetValue<string>());
        Assert.Equal("jsonl", job["meta"]!["format"]!.GetValue<string>());

        var lines = Encoding.UTF8.GetString(await DownloadAsync(api, job)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var zoe = Assert.Single(lines.Select(l => JsonNode.Parse(l)!.AsObject()));
        Assert.Equal("Zoë Quote, \"Q\"", zoe["name"]!.GetValue<string>());
        Assert.Equal("=1+2", zoe["external_ref"]!.GetValue<string>()); // data, not a spreadsheet: kept as it is
        Assert.False(zoe["password_set"]!.GetValue<bool>());
        Assert.Equal(42, zoe["points"]!.GetValue<int>());
        var addresses = zoe["addresses"]!.AsArray();
        Assert.Equal(["Home", "Office"], addresses.Select(a => a!["name"]!.GetValue<string>()));
        Assert.Equal("-2 Minus Street", addresses[1]!["line_1"]!.GetValue<string>());
        Assert.Equal("Île-de-France", addresses[0]!["county"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_order_export_as_ep_runs_it_has_amounts_in_the_currency_and_the_number_staff_see()
    {
        var customers = app.Services.GetRequiredService<CustomerService>();
        var zoe = (await customers.ListAsync(As.Viewer, new CustomerQuery($"eq(email,zoe@{Domain})"))).Items.Single();
        var cart = $"export-{Guid.NewGuid():N}";
        await app.Services.GetRequiredService<CartService>().AddItemAsync(As.Representative, cart, new CartItemInput { Name = "Mug", Sku = "MUG-1", Quantity = 3, Price = 1450 });
        var order = (await app.Services.GetRequiredService<CheckoutService>().CheckoutAsync(As.Representative, cart,
            new CheckoutInput { CustomerId = zoe.Id, BillingAddress = CheckoutAndOrderTests.Billing(), ShippingAddress = CheckoutAndOrderTests.Billing() })).Value!.Order;
        var api = await ApiClient.ClientCredentialsAsync(app);

        // What @moltin/sdk's Jobs.Create sends: no type.
        var created = (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "order_export", filter = $"eq(customer_id,{zoe.Id})" }),
            HttpStatusCode.Accepted))["data"]!.AsObject();
        var job = await FinishedAsync(api, created["id"]!.GetValue<string>());
        var lines = CsvLines(await DownloadAsync(api, job));

        Assert.Equal(2, lines.Length);
        Assert.Equal(string.Join(",", CommerceManager.DataTransfer.ExportRows.OrderColumns), lines[0]);
        Assert.StartsWith($"{order.Id},{OrderFormat.ShortId(order.Id)},", lines[1]);
        Assert.Contains($",{zoe.Id},\"Zoë Quote, \"\"Q\"\"\",zoe@{Domain},incomplete,unpaid,unfulfilled,3,USD,43.50,", lines[1]);
        var list = (await ApiClient.ExpectAsync(await api.GetAsync("/v2/jobs"), HttpStatusCode.OK))["data"]!.AsArray();
        Assert.Contains(list, j => j!["id"]!.GetValue<string>() == job["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_account_export_has_tags_by_name_members_and_the_accounts_flows_fields()
    {
        var designer = app.Services.GetRequiredService<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Accounts, true);
        var values = app.Services.GetRequiredService<CustomFieldValues>();
        if ((await values.FieldsAsync(Flow.Accounts)).All(f => f.Slug != "credit_limit"))
        {
            await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { FlowSlug = Flow.Accounts, Name = "Credit limit", Slug = "credit_limit", Type = FieldType.Integer });
            values.Invalidate();
        }
        var accounts = app.Services.GetRequiredService<AccountService>();
        var name = $"Export Works {Guid.NewGuid():N}"[..24];
        var account = (await accounts.CreateAsync(As.Admin, new AccountInput
        {
            Name = name, LegalName = "=cmd|' /C calc'!A0", RegistrationId = $"REG-{Guid.NewGuid():N}"[..12], Custom = new() { ["credit_limit"] = JsonValue.Create(5000) },
        })).Value!;
        var tags = app.Services.GetRequiredService<AccountTagService>();
        var tag = (await tags.CreateAsync(As.Admin, $"Export tag {Guid.NewGuid():N}"[..18], null)).Value!;
        await accounts.AddTagsAsync(As.Admin, account.Id, [tag.Id]);
        var members = app.Services.GetRequiredService<AccountMemberService>();
        var member = (await members.CreateAsync(As.Admin, new AccountMemberInput { Name = "Ann Export", Email = $"ann@{Domain}" })).Value!;
        await app.Services.GetRequiredService<MembershipService>().AddAsync(As.Admin, account.Id, member.Id);
        var api = await ApiClient.ClientCredentialsAsync(app);

        var csvJob = await FinishedAsync(api, (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs",
            new { type = "job", job_type = "account_export", filter = $"eq(name,{FilterLanguage.Quote(name)})" }), HttpStatusCode.Accepted))["data"]!["id"]!.GetValue<string>());
        var jsonJob = await FinishedAsync(api, (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs",
            new { job_type = "account_export", filter = $"eq(name,{FilterLanguage.Quote(name)})", format = "jsonl" }), HttpStatusCode.Accepted))["data"]!["id"]!.GetValue<string>());

        Assert.Equal(("SUCCESS", "account_export"), (csvJob["status"]!.GetValue<string>(), csvJob["job_type"]!.GetValue<string>()));
        var lines = CsvLines(await DownloadAsync(api, csvJob));
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("id,name,legal_name,registration_id,external_ref,parent_id,account_tags,created_at,updated_at,", lines[0]);
        Assert.EndsWith(",credit_limit,member_count,member_emails", lines[0]);
        Assert.StartsWith($"{account.Id},{name},'=cmd|' /C calc'!A0,{account.RegistrationId},,,{tag.Name},", lines[1]);
        Assert.EndsWith($",5000,1,ann@{Domain}", lines[1]);
        var json = JsonNode.Parse(Encoding.UTF8.GetString(await DownloadAsync(api, jsonJob)).Trim())!.AsObject();
        Assert.Equal(5000, json["credit_limit"]!.GetValue<int>());
        Assert.Equal("=cmd|' /C calc'!A0", json["legal_name"]!.GetValue<string>());
        Assert.Equal(("Ann Export", $"ann@{Domain}"), (json["members"]![0]!["name"]!.GetValue<string>(), json["members"]![0]!["email"]!.GetValue<string>()));

        // The Users tab's export: the member, how it signs in (never a hash), and its accounts.
        var memberJob = await FinishedAsync(api, (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs",
            new { job_type = "account_member_export", filter = $"eq(email,ann@{Domain})" }), HttpStatusCode.Accepted))["data"]!["id"]!.GetValue<string>());
        Assert.Equal(("SUCCESS", "account_member_export"), (memberJob["status"]!.GetValue<string>(), memberJob["job_type"]!.GetValue<string>()));
        var memberLines = CsvLines(await DownloadAsync(api, memberJob));
        Assert.Equal("id,name,email,password_set,provider_sign_in,created_at,updated_at,account_count,account_names", memberLines[0]);
        Assert.StartsWith($"{member.Id},Ann Export,ann@{Domain},false,false,", memberLines[1]);
        Assert.EndsWith($",1,{name}", memberLines[1]);
    }

    [Fact]
    public async Task A_filter_matching_nothing_fails_the_job_as_ep_does_and_it_has_no_file()
    {
        var api = await ApiClient.ClientCredentialsAsync(app);
        var created = (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "order_export", filter = "eq(email,nobody@nowhere.example)" }),
            HttpStatusCode.Accepted))["data"]!.AsObject();
        var job = await FinishedAsync(api, created["id"]!.GetValue<string>());

        Assert.Equal("FAILED", job["status"]!.GetValue<string>());
        Assert.Equal("No results matched the supplied filter", job["error"]!.GetValue<string>());
        var file = await ApiClient.ExpectAsync(await api.GetAsync($"/v2/jobs/{job["id"]}/file"), HttpStatusCode.NotFound);
        Assert.Contains("FAILED", file["errors"]![0]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_requests_are_refused_before_anything_is_queued_and_only_client_credentials_may_export()
    {
        var api = await ApiClient.ClientCredentialsAsync(app);
        var badFilter = await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "customer_export", filter = "eq(shoe_size,9)" }), HttpStatusCode.BadRequest);
        Assert.Contains("shoe_size", badFilter["errors"]![0]!["detail"]!.GetValue<string>());
        var badType = await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "product_export" }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("data.job_type", badType["errors"]![0]!["source"]!.GetValue<string>());
        await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "order_export", format = "xlsx" }), HttpStatusCode.UnprocessableEntity);
        await ApiClient.ExpectAsync(await api.GetAsync($"/v2/jobs/{Guid.NewGuid()}"), HttpStatusCode.NotFound);

        var storefront = await ApiClient.ImplicitAsync(app);
        await ApiClient.ExpectAsync(await storefront.PostAsync("/v2/jobs", new { job_type = "order_export" }), HttpStatusCode.Forbidden);
        await ApiClient.ExpectAsync(await storefront.GetAsync("/v2/jobs"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_forged_or_foreign_file_link_downloads_nothing()
    {
        var api = await ApiClient.ClientCredentialsAsync(app);
        var created = (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "customer_export", filter = $"eq(email,zoe@{Domain})" }),
            HttpStatusCode.Accepted))["data"]!.AsObject();
        var job = await FinishedAsync(api, created["id"]!.GetValue<string>());
        var href = new Uri((await ApiClient.ExpectAsync(await api.GetAsync($"/v2/jobs/{job["id"]}/file"), HttpStatusCode.OK))["href"]!.GetValue<string>());
        var anonymous = app.CreateBrowserlessClient();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(href.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(href.PathAndQuery.Replace("token=", "token=x"))).StatusCode);
        // The token of one job does not open another.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/exports/files/{Guid.NewGuid()}{href.Query}")).StatusCode);
        // Without a token: a staff sign-in.
        var noToken = await anonymous.GetAsync(href.AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, noToken.StatusCode);
        Assert.Contains("/Account/Login", noToken.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Staff_download_their_own_exports_and_admins_everyones()
    {
        await app.CreateAsync($"viewer@{Domain}", CommerceManager.Security.Roles.Viewer);
        var exports = app.Services.GetRequiredService<ExportService>();
        var zoe = (await app.Services.GetRequiredService<CustomerService>().ListAsync(As.Viewer, new CustomerQuery($"eq(email,zoe@{Domain})"))).Items.Single();
        var viewer = await app.SignedInClientAsync($"viewer@{Domain}", "staff test password 1");
        var admin = await app.SignedInClientAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        // A representative's export of ticked rows (one of them no longer there).
        var job = await exports.CreateAsync(As.Representative, new ExportRequest(ExportKind.Customers, Ids: [zoe.Id, Guid.NewGuid()]));
        var api = await ApiClient.ClientCredentialsAsync(app);
        await FinishedAsync(api, job.Id.ToString());

        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync(ExportsSetup.FilePath + "/" + job.Id)).StatusCode);
        var lines = CsvLines(await (await admin.GetAsync(ExportsSetup.FilePath + "/" + job.Id)).Content.ReadAsByteArrayAsync());
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(zoe.Id.ToString(), lines[1]);
        Assert.Null(await exports.GetAsync(As.Viewer, job.Id));
        Assert.Contains(await exports.ListAsync(As.Representative, onlyOwn: true), j => j.Id == job.Id);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("=SUM(A1:A9)", "'=SUM(A1:A9)")]
    [InlineData("+44 20 7946 0000", "'+44 20 7946 0000")]
    [InlineData("-12.5", "-12.5")] // a negative number is data
    [InlineData("-cmd", "'-cmd")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("\tTAB", "'\tTAB")]
    [InlineData("\rCR", "\"'\rCR\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("日本語 ✓", "日本語 ✓")]
    public void Fields_are_quoted_and_formulas_neutralised(string value, string expected)
    {
        Assert.Equal(expected, CsvWriter.Field(value));
    }
}

/// <summary>File links are bearer URLs in a query string: they live minutes, not the job's week (security.md, row 21).</summary>
public sealed class ExportLinkLifetimeTests
{
    [Fact]
    public async Task A_file_link_stops_working_after_Exports__LinkMinutes_and_a_fresh_one_is_handed_out_on_asking_again()
    {
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["Exports:LinkMinutes"] = "0" });
        var api = await ApiClient.ClientCredentialsAsync(app);
        await ApiClient.ExpectAsync(await api.PostAsync("/v2/customers", new { type = "customer", name = "Zoe", email = "zoe@link.example" }), HttpStatusCode.Created);
        var created = (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "customer_export" }), HttpStatusCode.Accepted))["data"]!;
        var job = await ExportJobTests.FinishedAsync(api, created["id"]!.GetValue<string>());
        Assert.True(job["status"]!.GetValue<string>() == "SUCCESS", job.ToJsonString());

        var href = new Uri((await ApiClient.ExpectAsync(await api.GetAsync($"/v2/jobs/{job["id"]}/file"), HttpStatusCode.OK))["href"]!.GetValue<string>());
        var download = await app.CreateBrowserlessClient().GetAsync(href.PathAndQuery);

        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        Assert.Contains("expired", await download.Content.ReadAsStringAsync());
    }
}

public sealed class ExportFreeSpaceTests
{
    [Fact]
    public async Task An_export_without_enough_free_space_fails_with_why_and_writes_nothing()
    {
        // More than any test machine has free: the check must refuse.
        await using var app = new AppFactoryWith(new Dictionary<string, string> { ["Exports:MinFreeMegabytes"] = int.MaxValue.ToString() });
        var api = await ApiClient.ClientCredentialsAsync(app);
        await ApiClient.ExpectAsync(await api.PostAsync("/v2/customers", new { type = "customer", name = "Zoe", email = "zoe@space.example" }), HttpStatusCode.Created);
        var created = (await ApiClient.ExpectAsync(await api.PostAsync("/v2/jobs", new { job_type = "customer_export" }), HttpStatusCode.Accepted))["data"]!;

        var job = await ExportJobTests.FinishedAsync(api, created["id"]!.GetValue<string>());

        Assert.Equal("FAILED", job["status"]!.GetValue<string>());
        Assert.Contains("Not enough free space", job["error"]!.GetValue<string>());
    }
}
