using CommerceManager.Data;
using System.Text;
using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.DataTransfer;
using CommerceManager.Tests.Infrastructure;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Exports;

/// <summary>Customer imports from CSV: mapping guessed from headers, rows checked by the shared rules, batches that survive a crash.</summary>
public sealed class ImportTests : IAsyncLifetime
{
    private TestServices services = null!;

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        var designer = services.Get<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
        await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Points", Slug = "points", Type = FieldType.Integer });
        services.Get<CustomFieldValues>().Invalidate();
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<ImportUpload> UploadAsync(string csv) =>
        await services.Get<ImportService>().UploadAsync(As.Representative, "customers.csv", new MemoryStream(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray()));

    private async Task<ImportJob> RunAsync(ImportUpload upload, ExistingEmail onExisting = ExistingEmail.Skip, bool dryRun = false, IReadOnlyDictionary<string, string>? mapping = null)
    {
        var imports = services.Get<ImportService>();
        var job = await imports.StartAsync(As.Representative, upload, mapping ?? upload.Guessed, onExisting, dryRun);
        var runner = services.Get<ImportRunner>();
        await runner.RunAsync((await runner.ClaimAsync(CancellationToken.None))!, CancellationToken.None);
        return (await imports.GetAsync(As.Representative, job.Id))!;
    }

    private const string Foreign =
        "First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,Address2,City,Province,Country,Zip,Phone,Total Spent\r\n" +
        "Ada,Lovelace,ada@import.example,yes,Analytical Ltd,12 St James's Square,,London,Westminster,United Kingdom,SW1Y 4JH,+44 20 7946 0000,10.00\r\n" +
        "Grace,Hopper,grace@import.example,no,,1 Navy Way,Apt 2,Arlington,Virginia,US,22201,,0\r\n" +
        "Bad,Email,not-an-email,no,,,,,,,,,0\r\n" +
        "No,Address,noaddress@import.example,no,,,,,,,,,0\r\n" +
        "Half,Address,half@import.example,no,,9 Nowhere Road,,,,,,,0\r\n";

    [Fact]
    public async Task A_foreign_export_maps_from_its_headers_and_imports_customers_with_their_first_address()
    {
        var upload = await UploadAsync(Foreign);

        Assert.Equal(5, upload.RowsTotal);
        Assert.Equal("first_name", upload.Guessed["First Name"]);
        Assert.Equal("email", upload.Guessed["Email"]);
        Assert.Equal("address:line_1", upload.Guessed["Address1"]);
        // By meaning: a province is a region; with no county column, the region stands in for EP's required county.
        Assert.Equal("address:region", upload.Guessed["Province"]);
        Assert.Equal("address:postcode", upload.Guessed["Zip"]);
        Assert.Equal("address:phone_number", upload.Guessed["Phone"]);
        Assert.False(upload.Guessed.ContainsKey("Total Spent"));
        Assert.Equal("Ada", upload.Preview[0][0]);

        var job = await RunAsync(upload);

        Assert.Equal(JobStatus.Success, job.Status);
        Assert.Equal((4, 0, 1), (job.Created, job.Skipped, job.FailedRows));
        var customers = services.Get<CustomerService>();
        var ada = (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,ada@import.example)"))).Items.Single();
        Assert.Equal("Ada Lovelace", ada.Name);
        var address = Assert.Single((await services.Get<AddressService>().ListAsync(As.Viewer, ada.Id))!.Items);
        Assert.Equal(("Ada", "Lovelace", "12 St James's Square", "GB", "Westminster", "Westminster", "+44 20 7946 0000", "Analytical Ltd"),
            (address.Postal.FirstName, address.Postal.LastName, address.Postal.Line1, address.Postal.Country, address.Postal.Region, address.Postal.County,
                address.Postal.PhoneNumber, address.Postal.CompanyName));
        var noAddress = (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,noaddress@import.example)"))).Items.Single();
        Assert.Empty((await services.Get<AddressService>().ListAsync(As.Viewer, noAddress.Id))!.Items);

        var errors = await services.Get<ImportService>().ErrorsAsync(As.Representative, job.Id);
        Assert.Contains(errors, e => e.Row == 3 && e.Column == "Email");
        // An address with only a street is refused with the fields it lacks; the customer is imported without it.
        Assert.Contains(errors, e => e.Row == 5 && e.Column == "Zip" && e.Message == "Address not added: Postcode is required.");
        var half = (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,half@import.example)"))).Items.Single();
        Assert.Empty((await services.Get<AddressService>().ListAsync(As.Viewer, half.Id))!.Items);
    }

    [Fact]
    public async Task A_dry_run_checks_every_row_and_writes_nothing()
    {
        var job = await RunAsync(await UploadAsync(Foreign), dryRun: true);

        Assert.Equal(JobStatus.Success, job.Status);
        Assert.Equal((5, 4, 1), (job.RowsDone, job.Created, job.FailedRows));
        Assert.Equal(0, (await services.Get<CustomerService>().ListAsync(As.Viewer, new CustomerQuery("like(email,*@import.example)"))).Total);
    }

    [Fact]
    public async Task Existing_emails_are_skipped_updated_or_stop_the_import_as_chosen()
    {
        var customers = services.Get<CustomerService>();
        await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Old Name", Email = "kept@import.example" });
        const string csv = "name,email,points\r\nNew Name,KEPT@import.example,7\r\nFresh One,fresh@import.example,3\r\n";

        var skipped = await RunAsync(await UploadAsync(csv), ExistingEmail.Skip);
        Assert.Equal((1, 1, 0), (skipped.Created, skipped.Skipped, skipped.Updated));
        Assert.Equal("Old Name", (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,kept@import.example)"))).Items.Single().Name);

        var updated = await RunAsync(await UploadAsync(csv), ExistingEmail.Update);
        Assert.Equal((0, 2), (updated.Created, updated.Updated));
        var kept = (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,kept@import.example)"))).Items.Single();
        Assert.Equal("New Name", kept.Name);
        Assert.Contains("7", kept.CustomData);

        var stopped = await RunAsync(await UploadAsync("name,email\r\nAnother,another@import.example\r\nDup,kept@import.example\r\nLater,later@import.example\r\n"), ExistingEmail.Stop);
        Assert.Equal(JobStatus.Failed, stopped.Status);
        // The spreadsheet's line (the header is line 1): the second row is line 3.
        Assert.StartsWith("Stopped at line 3: kept@import.example is already a customer's email", stopped.Error);
        Assert.Equal(1, (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,another@import.example)"))).Total);
        Assert.Equal(0, (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,later@import.example)"))).Total);
    }

    [Fact]
    public async Task An_updated_customers_address_is_not_added_and_the_import_says_so_on_its_line()
    {
        await services.Get<CustomerService>().CreateAsync(As.Admin, new CustomerInput { Name = "Old Name", Email = "kept@import.example" });
        const string csv = "First Name,Last Name,Email,Address1,City,Province,Zip,Country Code\r\n" +
            "New,Name,kept@import.example,1 Mill Lane,Leeds,West Yorkshire,LS1 1AA,GB\r\nFresh,One,fresh@import.example,2 Mill Lane,Leeds,West Yorkshire,LS1 1AB,GB\r\n";

        var job = await RunAsync(await UploadAsync(csv), ExistingEmail.Update);

        Assert.Equal((1, 1, 0), (job.Created, job.Updated, job.FailedRows));
        var line = Assert.Single(await services.Get<ImportService>().ErrorsAsync(As.Representative, job.Id));
        Assert.Equal(1, line.Row);
        Assert.StartsWith("Address not added: the customer existed", line.Message);
    }

    [Fact]
    public async Task Imported_and_updated_customers_are_on_their_timelines_as_the_import_of_the_staff_member_who_started_it()
    {
        var customers = services.Get<CustomerService>();
        var old = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Old Name", Email = "kept@import.example" })).Value!;

        await RunAsync(await UploadAsync("name,email\r\nNew Name,kept@import.example\r\nFresh One,fresh@import.example\r\n"), ExistingEmail.Update);

        var history = services.Get<CommerceManager.History.HistoryService>();
        var fresh = (await customers.ListAsync(As.Viewer, new CustomerQuery("eq(email,fresh@import.example)"))).Items.Single();
        var created = Assert.Single((await history.TimelineAsync(As.Viewer, fresh.Id, new CommerceManager.History.HistoryQuery())).Items);
        var updated = (await history.TimelineAsync(As.Viewer, old.Id, new CommerceManager.History.HistoryQuery())).Items[0];
        foreach (var entry in new[] { created, updated })
        {
            Assert.Equal((CommerceManager.History.ActorKinds.System, "import", "an import by rep@example.com"), (entry.ActorKind, entry.Channel, entry.Who));
        }
        Assert.Equal((CommerceManager.History.ChangeActions.Created, "fresh@import.example"), (created.Action, created.Changes.Single(c => c.Field == "email").To));
        Assert.Equal(("Old Name", "New Name"), (updated.Changes.Single(c => c.Field == "name").From, updated.Changes.Single(c => c.Field == "name").To));
    }

    [Fact]
    public async Task Custom_values_are_typed_by_their_field_and_a_bad_one_names_its_column()
    {
        var job = await RunAsync(await UploadAsync("Name,E-mail Address,points\r\nTyped,typed@import.example,12\r\nWrong,wrong@import.example,twelve\r\n"));

        Assert.Equal((1, 1), (job.Created, job.FailedRows));
        var typed = (await services.Get<CustomerService>().ListAsync(As.Viewer, new CustomerQuery("eq(points,12)"))).Items.Single();
        Assert.Equal("typed@import.example", typed.Email);
        var error = Assert.Single(await services.Get<ImportService>().ErrorsAsync(As.Representative, job.Id));
        Assert.Equal(("points", 2), (error.Column, error.Row));
        Assert.Contains("whole number", error.Message);
    }

    [Fact]
    public async Task An_import_that_crashed_mid_way_resumes_after_its_last_batch_with_no_row_twice_and_none_lost()
    {
        var csv = new StringBuilder("name,email\r\n");
        var total = ImportRunner.BatchSize * 3 + 17;
        for (var i = 1; i <= total; i++)
        {
            csv.Append($"Resume {i:D4},resume{i:D4}@import.example\r\n");
        }
        // The process dies right after its first batch is committed: a cancellation at that commit stands in for the kill.
        var commits = new AfterCommit();
        await using var crashing = await TestServices.CreateAsync(s => s.ConfigureDbContext<CommerceManager.Data.AppDbContext>(o => o.AddInterceptors(commits)));
        (services, var own) = (crashing, services);
        var upload = await UploadAsync(csv.ToString());
        var imports = services.Get<ImportService>();
        var job = await imports.StartAsync(As.Representative, upload, upload.Guessed, ExistingEmail.Stop, dryRun: false);
        var crashed = ActivatorUtilities.CreateInstance<ImportRunner>(services.Provider);
        var claimed = (await crashed.ClaimAsync(CancellationToken.None))!;
        using var kill = new CancellationTokenSource();
        commits.Then = kill.Cancel;
        await crashed.RunAsync(claimed, kill.Token);
        commits.Then = null;
        var half = (await imports.GetAsync(As.Representative, job.Id))!;
        Assert.Equal(JobStatus.Started, half.Status);
        Assert.True(half.RowsDone > 0 && half.RowsDone < total, $"{half.RowsDone} rows done");
        Assert.Equal(half.RowsDone, half.Created);

        // Its heartbeat goes quiet; another instance takes it over and goes on.
        await using (var db = await services.DbAsync())
        {
            await db.ImportJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, DateTime.UtcNow.AddMinutes(-5)));
        }
        var other = ActivatorUtilities.CreateInstance<ImportRunner>(services.Provider);
        await other.RunAsync((await other.ClaimAsync(CancellationToken.None))!, CancellationToken.None);

        var done = (await imports.GetAsync(As.Representative, job.Id))!;
        Assert.Equal(JobStatus.Success, done.Status); // with "stop" on existing emails: a row imported twice would have stopped it
        Assert.Equal((total, total, 0), (done.RowsDone, done.Created, done.FailedRows));
        await using var check = await services.DbAsync();
        var emails = await check.Customers.Where(c => c.NormalizedEmail.EndsWith("@IMPORT.EXAMPLE")).Select(c => c.NormalizedEmail).ToListAsync();
        Assert.Equal(total, emails.Count);
        Assert.Equal(total, emails.Distinct().Count());
        services = own;
    }

    /// <summary>Calls <see cref="Then"/> after a transaction commits.</summary>
    private sealed class AfterCommit : Microsoft.EntityFrameworkCore.Diagnostics.DbTransactionInterceptor
    {
        public Action? Then { get; set; }

        public override Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData,
            CancellationToken cancellationToken = default)
        {
            Then?.Invoke();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_large_import_pauses_the_search_index_and_rebuilds_it_so_contains_search_finds_everyone_after()
    {
        await using var large = await TestServices.CreateAsync(s => s.Configure<ImportSettings>(o => o.PauseSearchIndexFrom = 10));
        (services, var own) = (large, services);
        try
        {
            var csv = new StringBuilder("name,email\r\n");
            for (var i = 1; i <= 25; i++)
            {
                csv.Append($"Quillfeather {i:D2},quill{i:D2}@import.example\r\n");
            }
            var job = await RunAsync(await UploadAsync(csv.ToString()));
            Assert.Equal((JobStatus.Success, 25), (job.Status, job.Created));

            var customers = services.Get<CustomerService>();
            Assert.Equal(25, (await customers.ListAsync(As.Viewer, new CustomerQuery("like(name,*llfeath*)"))).Total);
            // The index is kept in step again: a customer created afterwards is found too.
            await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Late Quillfeather", Email = "late@import.example" });
            Assert.Equal(26, (await customers.ListAsync(As.Viewer, new CustomerQuery("like(name,*llfeath*)"))).Total);
        }
        finally
        {
            services = own;
        }
    }

    [Fact]
    public async Task A_mapping_without_an_email_or_a_name_is_refused_and_a_file_without_a_header_too()
    {
        var upload = await UploadAsync("name,email\r\nA,a@import.example\r\n");
        var imports = services.Get<ImportService>();

        var noEmail = await Assert.ThrowsAsync<ValidationException>(() => imports.StartAsync(As.Representative, upload, new Dictionary<string, string> { ["name"] = "name" }, ExistingEmail.Skip, false));
        Assert.Contains("email", noEmail.Errors.Single().ErrorMessage);
        await Assert.ThrowsAsync<ValidationException>(() => imports.StartAsync(As.Representative, upload,
            new Dictionary<string, string> { ["name"] = "email", ["email"] = "email" }, ExistingEmail.Skip, false));
        await Assert.ThrowsAsync<CommerceManager.Security.AccessDeniedException>(() => imports.StartAsync(As.Viewer, upload, upload.Guessed, ExistingEmail.Skip, false));
        await Assert.ThrowsAsync<ValidationException>(() => UploadAsync(""));
    }

    [Fact]
    public async Task Our_own_export_headers_map_back_as_they_are()
    {
        var upload = await UploadAsync("id,name,email,external_ref,password_set,created_at,points,address_count,address_line_1,address_country\r\n" +
            "0190,Round Trip,round@import.example,R-1,false,2026-01-01T00:00:00.000Z,5,1,1 Loop Lane,CA\r\n");

        Assert.Equal(new Dictionary<string, string>
        {
            ["name"] = "name", ["email"] = "email", ["external_ref"] = "external_ref", ["points"] = "custom:points",
            ["address_line_1"] = "address:line_1", ["address_country"] = "address:country",
        }, upload.Guessed);
    }

    /// <summary>
    /// Whole files as each platform exports them today (every column of its customer export, in its order, with a row as
    /// it writes one): imported with the guessed mapping and nothing changed, each customer arrives with its address.
    /// </summary>
    [Theory]
    [InlineData("Shopify (customer export)",
        "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags",
        "'7291838111998,Grace,Hopper,grace@shopify.example,yes,Navy,1 Main Street,,Arlington,VA,US,22201,+1 703-555-0100,+17035550199,no,120.50,3,,no,\"vip, navy\"",
        "Grace Hopper|grace@shopify.example|1 Main Street|Arlington|VA|VA|22201|US|+1 703-555-0100|7291838111998")]
    [InlineData("Shopify (legacy export)",
        "First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Tags,Note,Tax Exempt",
        "Grace,Hopper,grace@shopify-legacy.example,no,,1 Main Street,Apt 2,Toronto,Ontario,ON,Canada,CA,M5V 2T6,416-555-0100,no,0.00,0,,,no",
        "Grace Hopper|grace@shopify-legacy.example|1 Main Street|Toronto|Ontario|Ontario|M5V 2T6|CA|416-555-0100|")]
    [InlineData("WooCommerce (Customer/Order CSV Export)",
        "customer_id,first_name,last_name,email,date_registered,billing_first_name,billing_last_name,billing_company,billing_address_1,billing_address_2,billing_city,billing_state,billing_postcode,billing_country,billing_email,billing_phone,shipping_first_name,shipping_last_name,shipping_company,shipping_address_1,shipping_address_2,shipping_city,shipping_state,shipping_postcode,shipping_country,total_spent,order_count",
        "42,Alan,Turing,alan@woo.example,2024-03-01 10:00:00,Alan,Turing,,Bletchley Park,Sherwood Drive,Milton Keynes,Buckinghamshire,MK3 6EB,GB,alan@woo.example,01908 640404,Alan,Turing,,Hut 8,,Bletchley,BKM,MK3 6EF,GB,99.00,2",
        "Alan Turing|alan@woo.example|Bletchley Park|Milton Keynes|Buckinghamshire|Buckinghamshire|MK3 6EB|GB|01908 640404|42")]
    [InlineData("Magento 2 (customer grid export)",
        "ID,Name,Email,Group,Phone,ZIP,Country,State/Province,Customer Since,Web Site,Confirmed email,Account Created in,Billing Address,Shipping Address,Date of Birth,Tax VAT Number,Gender,Street Address,City,Fax,VAT Number,Company,Billing Firstname,Billing Lastname,Account Lock",
        "17,Katherine Johnson,katherine@magento.example,General,757-555-0100,23666,United States,Virginia,\"Jan 5, 2024 10:00:00 AM\",Main Website,Confirmed,Default Store View,\"1 NASA Road Hampton Virginia 23666\",\"1 NASA Road Hampton Virginia 23666\",,,Female,1 NASA Road,Hampton,,,NASA,Katherine,Johnson,Unlocked",
        "Katherine Johnson|katherine@magento.example|1 NASA Road|Hampton|Virginia|Virginia|23666|US|757-555-0100|")]
    [InlineData("Magento 2 (System › Export, customer addresses)",
        "_website,_email,_entity_id,city,company,country_id,fax,firstname,lastname,middlename,postcode,prefix,region,region_id,street,suffix,telephone,vat_id,vat_is_valid,vat_request_date,vat_request_id,vat_request_success,_address_default_billing_,_address_default_shipping_",
        "base,mary@magento.example,5,Paris,,FR,,Mary,Jackson,,75001,,Île-de-France,,12 Rue de Rivoli,,+33 1 23 45 67 89,,,,,,1,1",
        "Mary Jackson|mary@magento.example|12 Rue de Rivoli|Paris|Île-de-France|Île-de-France|75001|FR|+33 1 23 45 67 89|")]
    public async Task Whole_exports_of_other_platforms_import_with_the_guessed_mapping_and_keep_each_address(string platform, string headers, string row, string expected)
    {
        var upload = await UploadAsync(headers + "\n" + row + "\n");

        var job = await RunAsync(upload);

        Assert.True((JobStatus.Success, 1, 0) == (job.Status, job.Created, job.FailedRows), $"{platform}: {job.Status}, {job.Created} created, {job.FailedRows} failed, {job.Error}");
        var want = expected.Split('|');
        var customer = (await services.Get<CustomerService>().ListAsync(As.Viewer, new CustomerQuery($"eq(email,{want[1]})"))).Items.Single();
        var address = Assert.Single((await services.Get<AddressService>().ListAsync(As.Viewer, customer.Id))!.Items);
        var p = address.Postal;
        Assert.Equal<string>(want, [customer.Name, customer.Email, p.Line1 ?? "", p.City ?? "", p.Region ?? "", p.County ?? "", p.Postcode ?? "", p.Country ?? "", p.PhoneNumber ?? "", customer.ExternalRef ?? ""]);
    }
}

/// <summary>Our own exports import back unchanged: CSV (formulas neutralised on the way out, restored on the way in) and JSON Lines.</summary>
public sealed class ExportImportRoundTripTests : IAsyncLifetime
{
    private TestServices source = null!;
    private TestServices target = null!;

    public async Task InitializeAsync()
    {
        source = await TestServices.CreateAsync();
        target = await TestServices.CreateAsync();
        foreach (var store in new[] { source, target })
        {
            var designer = store.Get<FieldDesigner>();
            var flow = await designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
            await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Points", Slug = "points", Type = FieldType.Integer });
            await designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "VIP", Slug = "vip", Type = FieldType.Boolean });
            store.Get<CustomFieldValues>().Invalidate();
        }
        var customers = source.Get<CustomerService>();
        var zoe = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Zoë “Quote”, Jr.", Email = "zoe@trip.example", ExternalRef = "=1+2",
            Custom = new() { ["points"] = JsonValue.Create(42), ["vip"] = JsonValue.Create(true) } })).Value!;
        await source.Get<AddressService>().CreateAsync(As.Admin, zoe.Id, new AddressInput
        {
            Name = "Home", FirstName = "Zoë", LastName = "Quote", Line1 = "-1 Rue de l'Église", City = "Paris", County = "Île-de-France", Postcode = "75001",
            Country = "FR", PhoneNumber = "+33 1 23 45 67 89",
        });
        await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Plain Person", Email = "plain@trip.example" });
    }

    public async Task DisposeAsync()
    {
        await source.DisposeAsync();
        await target.DisposeAsync();
    }

    [Theory]
    [InlineData(CommerceManager.Exports.ExportFormat.Csv)]
    [InlineData(CommerceManager.Exports.ExportFormat.Jsonl)]
    public async Task An_export_imports_back_with_its_mapping_guessed_and_nothing_changed(CommerceManager.Exports.ExportFormat format)
    {
        var exports = source.Get<CommerceManager.Exports.ExportService>();
        var runner = source.Get<CommerceManager.Exports.ExportRunner>();
        var job = await exports.CreateAsync(As.Admin, new CommerceManager.Exports.ExportRequest(CommerceManager.Exports.ExportKind.Customers, format));
        await runner.RunAsync((await runner.ClaimAsync(CancellationToken.None))!, CancellationToken.None);
        var file = exports.FileOf((await exports.GetAsync(As.Admin, job.Id))!)!;

        var imports = target.Get<ImportService>();
        ImportUpload upload;
        await using (var stream = File.OpenRead(file))
        {
            upload = await imports.UploadAsync(As.Admin, Path.GetFileName(file), stream);
        }
        Assert.Equal("custom:points", upload.Guessed["points"]);
        Assert.Equal("address:line_1", upload.Guessed["address_line_1"]);
        var started = await imports.StartAsync(As.Admin, upload, upload.Guessed, ExistingEmail.Stop, dryRun: false);
        var importer = target.Get<ImportRunner>();
        await importer.RunAsync((await importer.ClaimAsync(CancellationToken.None))!, CancellationToken.None);
        var done = (await imports.GetAsync(As.Admin, started.Id))!;
        Assert.Equal((JobStatus.Success, 2, 0), (done.Status, done.Created, done.FailedRows));

        var zoe = (await target.Get<CustomerService>().ListAsync(As.Viewer, new CustomerQuery("eq(email,zoe@trip.example)"))).Items.Single();
        Assert.Equal(("Zoë “Quote”, Jr.", "=1+2"), (zoe.Name, zoe.ExternalRef));
        var values = System.Text.Json.Nodes.JsonNode.Parse(zoe.CustomData!)!.AsObject().Select(p => p.Value!.ToJsonString()).Order().ToList();
        Assert.Equal(["42", "true"], values);
        var address = Assert.Single((await target.Get<AddressService>().ListAsync(As.Viewer, zoe.Id))!.Items);
        Assert.Equal(("Home", "-1 Rue de l'Église", "Île-de-France", "FR", "+33 1 23 45 67 89"),
            (address.Name, address.Postal.Line1, address.Postal.County, address.Postal.Country, address.Postal.PhoneNumber));
    }

    /// <summary>Real export headers of other platforms map to the fields they mean.</summary>
    [Theory]
    [InlineData("Shopify", "First Name,Last Name,Email,Company,Address1,Address2,City,Province,Province Code,Country,Country Code,Zip,Phone",
        "first_name,last_name,email,address:company_name,address:line_1,address:line_2,address:city,address:region,address:region,address:country,address:country,address:postcode,address:phone_number")]
    [InlineData("WooCommerce", "first_name,last_name,email,billing_company,billing_address_1,billing_address_2,billing_city,billing_state,billing_postcode,billing_country,billing_phone",
        "first_name,last_name,email,address:company_name,address:line_1,address:line_2,address:city,address:region,address:postcode,address:country,address:phone_number")]
    [InlineData("Magento", "Email,Firstname,Lastname,Street Address,City,State/Province,ZIP/Postal Code,Country,Phone",
        "email,first_name,last_name,address:line_1,address:city,address:region,address:postcode,address:country,address:phone_number")]
    [InlineData("Our own", "name,email,external_ref,address_line_1,address_county,address_region,address_postcode,address_country",
        "name,email,external_ref,address:line_1,address:county,address:region,address:postcode,address:country")]
    public void Other_platforms_headers_map_by_meaning(string platform, string headers, string expected)
    {
        var guessed = headers.Split(',').Select(h => ImportTargets.Guess(h, [])).ToArray();
        Assert.True(expected.Split(',').SequenceEqual(guessed), $"{platform}: {string.Join(',', guessed)}");
    }
}
