using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Tests.Infrastructure;
using FluentValidation;

namespace CommerceManager.Tests.CustomFields;

public sealed class FieldDesignerTests : IAsyncLifetime
{
    private TestServices services = default!;
    private FlowDto customers = default!;
    private FieldDesigner Designer => services.Get<FieldDesigner>();
    private CustomFieldValues Values => services.Get<CustomFieldValues>();
    private CustomerService Customers => services.Get<CustomerService>();

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        customers = await Designer.EnsureFlowAsync(As.Admin, Flow.Customers, true);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private async Task<FieldDefinition> AddAsync(string slug, FieldType type, FieldRules? rules = null, bool required = false, JsonNode? @default = null,
        string? flow = null)
    {
        var flowId = flow is null ? customers.Id : (await Designer.EnsureFlowAsync(As.Admin, flow, true)).Id;
        var outcome = await Designer.CreateFieldAsync(As.Admin, flowId, new FieldInput
        {
            Name = char.ToUpperInvariant(slug[0]) + slug[1..].Replace('_', ' '), Slug = slug, Type = type, Rules = rules ?? new FieldRules(), Required = required, Default = @default,
        });
        return outcome.Value!;
    }

    private Task<Outcome> CreateCustomerAsync(params (string Slug, JsonNode? Value)[] values) => CreateCustomerAsync(values.ToDictionary(v => v.Slug, v => v.Value));

    private async Task<Outcome> CreateCustomerAsync(Dictionary<string, JsonNode?> values)
    {
        try
        {
            var created = await Customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada", Email = $"{Guid.NewGuid():N}@example.com", Custom = values });
            return new Outcome(created.Value, null);
        }
        catch (ValidationException ex)
        {
            return new Outcome(null, Assert.Single(ex.Errors).ErrorMessage);
        }
    }

    private sealed record Outcome(CustomerDto? Customer, string? Error);

    private static string? Stored(CustomerDto c, FieldDefinition f) => CustomFieldValues.Parse(c.CustomData)[f.Id.ToString()]?.ToJsonString();

    public static TheoryData<FieldType, FieldRules, JsonNode?, string?> Cases => new()
    {
        { FieldType.String, new FieldRules(), JsonValue.Create("anything"), null },
        { FieldType.String, new FieldRules(), JsonValue.Create(42), "Value must be text." },
        { FieldType.String, new FieldRules { Enum = ["bronze", "gold"] }, JsonValue.Create("gold"), null },
        { FieldType.String, new FieldRules { Enum = ["bronze", "gold"] }, JsonValue.Create("platinum"), "Value must be one of: bronze, gold." },
        { FieldType.String, new FieldRules { Email = true }, JsonValue.Create("ada@example.com"), null },
        { FieldType.String, new FieldRules { Email = true }, JsonValue.Create("ada at example"), "Value must be a valid email address." },
        { FieldType.String, new FieldRules { Slug = true }, JsonValue.Create("summer-sale_2025"), null },
        { FieldType.String, new FieldRules { Slug = true }, JsonValue.Create("summer sale"), "Value must be a slug: letters, digits, - and _ only." },
        { FieldType.String, new FieldRules { MinLength = 3, MaxLength = 5 }, JsonValue.Create("abcd"), null },
        { FieldType.String, new FieldRules { MinLength = 3 }, JsonValue.Create("ab"), "Value must be at least 3 characters." },
        { FieldType.String, new FieldRules { MaxLength = 5 }, JsonValue.Create("abcdef"), "Value must be at most 5 characters." },
        { FieldType.String, new FieldRules { Pattern = "^[A-Z]{2}[0-9]{4}$" }, JsonValue.Create("AB1234"), null },
        { FieldType.String, new FieldRules { Pattern = "^[A-Z]{2}[0-9]{4}$" }, JsonValue.Create("ab1234"), "Value is not in the expected format." },
        { FieldType.Integer, new FieldRules(), JsonValue.Create(7), null },
        { FieldType.Integer, new FieldRules(), JsonValue.Create(7.5), "Value must be a whole number." },
        { FieldType.Integer, new FieldRules(), JsonValue.Create("7"), "Value must be a whole number." },
        { FieldType.Integer, new FieldRules { From = 1, To = 10 }, JsonValue.Create(10), null },
        { FieldType.Integer, new FieldRules { From = 1, To = 10 }, JsonValue.Create(11), "Value must be between 1 and 10." },
        { FieldType.Integer, new FieldRules { Enum = [JsonValue.Create(1), JsonValue.Create(2)] }, JsonValue.Create(3), "Value must be one of: 1, 2." },
        { FieldType.Float, new FieldRules(), JsonValue.Create(2.5), null },
        { FieldType.Float, new FieldRules { From = 0, To = 1 }, JsonValue.Create(1.5), "Value must be between 0 and 1." },
        { FieldType.Float, new FieldRules(), JsonValue.Create(true), "Value must be a number." },
        { FieldType.Boolean, new FieldRules(), JsonValue.Create(true), null },
        { FieldType.Boolean, new FieldRules(), JsonValue.Create("yes"), "Value must be true or false." },
        { FieldType.Date, new FieldRules(), JsonValue.Create("2025-02-28"), null },
        { FieldType.Date, new FieldRules(), JsonValue.Create("2025-02-30"), "Value must be a date, such as 2025-01-31." },
        { FieldType.Date, new FieldRules(), JsonValue.Create(20250228), "Value must be a date, such as 2025-01-31." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_type_and_rule_accepts_good_values_and_refuses_bad_ones_with_a_message(FieldType type, FieldRules rules, JsonNode? value, string? error)
    {
        var field = await AddAsync("value", type, rules);

        var outcome = await CreateCustomerAsync(("value", value));

        Assert.Equal(error, outcome.Error);
        if (error is null)
        {
            Assert.NotNull(Stored(outcome.Customer!, field));
        }
    }

    [Fact]
    public async Task Dates_and_numbers_are_stored_typed()
    {
        var date = await AddAsync("born", FieldType.Date);
        var count = await AddAsync("count", FieldType.Integer);

        var customer = (await CreateCustomerAsync(("born", JsonValue.Create("2025-02-28T10:00:00Z")), ("count", JsonValue.Create(3.0)))).Customer!;

        Assert.Equal("\"2025-02-28\"", Stored(customer, date));
        Assert.Equal("3", Stored(customer, count));
    }

    [Fact]
    public async Task Required_fields_need_a_value_unless_they_have_a_default()
    {
        var tier = await AddAsync("tier", FieldType.String, required: true);

        Assert.Equal("Tier is required.", (await CreateCustomerAsync()).Error);
        Assert.Equal("Tier is required.", (await CreateCustomerAsync(("tier", null))).Error);
        var withValue = (await CreateCustomerAsync(("tier", JsonValue.Create("gold")))).Customer!;
        Assert.Equal("\"gold\"", Stored(withValue, tier));
    }

    [Fact]
    public async Task New_records_take_the_default_and_a_required_field_without_one_is_refused_once_records_exist()
    {
        await CreateCustomerAsync();

        var refused = await Assert.ThrowsAsync<ValidationException>(() => Designer.CreateFieldAsync(As.Admin, customers.Id,
            new FieldInput { Name = "Tier", Slug = "tier", Type = FieldType.String, Required = true }));
        var field = await AddAsync("tier", FieldType.String, new FieldRules { Enum = ["bronze", "gold"] }, required: true, @default: JsonValue.Create("bronze"));
        var next = (await CreateCustomerAsync()).Customer!;

        Assert.Contains("already has 1 records", Assert.Single(refused.Errors).ErrorMessage);
        Assert.Equal("\"bronze\"", Stored(next, field));
    }

    [Theory]
    [InlineData("email")]
    [InlineData("NAME")]
    [InlineData("external_ref")]
    [InlineData("id")]
    [InlineData("meta")]
    public async Task Reserved_slugs_are_refused(string slug)
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() => Designer.CreateFieldAsync(As.Admin, customers.Id,
            new FieldInput { Name = "X", Slug = slug, Type = FieldType.String }));

        Assert.Contains("reserved", Assert.Single(ex.Errors).ErrorMessage);
    }

    [Fact]
    public async Task Address_fields_cannot_take_the_address_attributes_slugs()
    {
        var flow = await Designer.EnsureFlowAsync(As.Admin, Flow.Addresses, true);

        await Assert.ThrowsAsync<ValidationException>(() => Designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "L", Slug = "line_1", Type = FieldType.String }));
        Assert.True((await Designer.CreateFieldAsync(As.Admin, flow.Id, new FieldInput { Name = "Gate code", Slug = "gate_code", Type = FieldType.String })).IsOk);
    }

    [Fact]
    public async Task A_flow_holds_at_most_100_fields()
    {
        for (var i = 0; i < FieldDesigner.MaxFieldsPerFlow; i++)
        {
            await AddAsync($"f{i}", FieldType.Boolean);
        }

        var ex = await Assert.ThrowsAsync<ValidationException>(() => AddAsync("one_more", FieldType.Boolean));

        Assert.Contains("at most 100", Assert.Single(ex.Errors).ErrorMessage);
    }

    [Fact]
    public async Task An_invalid_regular_expression_is_refused_and_a_backtracking_one_gets_a_plain_answer()
    {
        var bad = await Assert.ThrowsAsync<ValidationException>(() => AddAsync("code", FieldType.String, new FieldRules { Pattern = "([a-z]" }));
        await AddAsync("evil", FieldType.String, new FieldRules { Pattern = "^(a+)+$" });

        // Patterns run without backtracking (linear time): the classic exponential input is simply not a match.
        var refused = await CreateCustomerAsync(("evil", JsonValue.Create(new string('a', 40) + "!")));
        var accepted = await CreateCustomerAsync(("evil", JsonValue.Create(new string('a', 40))));

        Assert.Contains("not valid", Assert.Single(bad.Errors).ErrorMessage);
        Assert.Equal("Evil is not in the expected format.", refused.Error);
        Assert.Null(accepted.Error);
    }

    [Fact]
    public async Task Enum_options_and_defaults_must_fit_the_type_and_rules_must_fit_the_type()
    {
        await Assert.ThrowsAsync<ValidationException>(() => AddAsync("n", FieldType.Integer, new FieldRules { Enum = ["one"] }));
        await Assert.ThrowsAsync<ValidationException>(() => AddAsync("d", FieldType.String, new FieldRules { Enum = ["a"] }, @default: JsonValue.Create("b")));
        await Assert.ThrowsAsync<ValidationException>(() => AddAsync("e", FieldType.Integer, new FieldRules { Email = true }));
        await Assert.ThrowsAsync<ValidationException>(() => AddAsync("r", FieldType.Integer, new FieldRules { From = 5, To = 1 }));
    }

    [Fact]
    public async Task The_type_and_slug_cannot_change_but_the_rest_can()
    {
        var field = await AddAsync("tier", FieldType.String);
        var retyped = FieldInput.From(field);
        retyped.Type = FieldType.Integer;
        var reslugged = FieldInput.From(field);
        reslugged.Slug = "level";
        var renamed = FieldInput.From(field);
        renamed.Name = "Membership tier";

        await Assert.ThrowsAsync<ValidationException>(() => Designer.UpdateFieldAsync(As.Admin, field.Id, retyped));
        await Assert.ThrowsAsync<ValidationException>(() => Designer.UpdateFieldAsync(As.Admin, field.Id, reslugged));
        var saved = await Designer.UpdateFieldAsync(As.Admin, field.Id, renamed);

        Assert.Equal(("Membership tier", "tier", FieldType.String), (saved.Value!.Name, saved.Value.Slug, saved.Value.Type));
    }

    [Fact]
    public async Task Disabling_hides_a_field_and_keeps_its_values_and_renaming_keeps_them_too()
    {
        var field = await AddAsync("tier", FieldType.String);
        var customer = (await CreateCustomerAsync(("tier", JsonValue.Create("gold")))).Customer!;
        var disabled = FieldInput.From(field);
        disabled.Enabled = false;
        disabled.Name = "Old tier";

        await Designer.UpdateFieldAsync(As.Admin, field.Id, disabled);
        var fields = await Values.FieldsAsync(Flow.Customers);
        Assert.Empty(CustomFieldValues.Read(fields, customer.CustomData));
        // A save while it is hidden (even one that sends a value for it) keeps the stored value.
        await Customers.UpdateAsync(As.Admin, customer.Id, new CustomerInput { Name = "Ada", Email = customer.Email, Custom = new() { ["tier"] = JsonValue.Create("bronze") } }, null);
        disabled.Enabled = true;
        await Designer.UpdateFieldAsync(As.Admin, field.Id, disabled);

        var reread = await Customers.GetAsync(As.Viewer, customer.Id);
        var values = CustomFieldValues.Read(await Values.FieldsAsync(Flow.Customers), reread!.CustomData);
        Assert.Equal(("Old tier", "gold"), (values.Single().Field.Name, values.Single().Value!.GetValue<string>()));
    }

    [Fact]
    public async Task Values_are_counted_before_a_delete_and_before_narrowing_an_enum()
    {
        var field = await AddAsync("tier", FieldType.String, new FieldRules { Enum = ["bronze", "silver", "gold"] });
        await CreateCustomerAsync(("tier", JsonValue.Create("gold")));
        await CreateCustomerAsync(("tier", JsonValue.Create("silver")));
        await CreateCustomerAsync();

        Assert.Equal(2, await Designer.CountValuesAsync(As.Admin, field));
        Assert.Equal(1, await Designer.CountOutsideAsync(As.Admin, field, [JsonValue.Create("bronze"), JsonValue.Create("silver")]));
    }

    [Fact]
    public async Task Updates_change_only_the_values_sent_and_unknown_slugs_are_ignored()
    {
        var tier = await AddAsync("tier", FieldType.String);
        var vip = await AddAsync("vip", FieldType.Boolean);
        var customer = (await CreateCustomerAsync(("tier", JsonValue.Create("gold")), ("vip", JsonValue.Create(true)))).Customer!;

        var updated = await Customers.UpdateAsync(As.Admin, customer.Id,
            new CustomerInput { Name = "Ada", Email = customer.Email, Custom = new() { ["vip"] = JsonValue.Create(false), ["nonsense"] = JsonValue.Create(1) } }, null);

        Assert.Equal("\"gold\"", Stored(updated.Value!, tier));
        Assert.Equal("false", Stored(updated.Value!, vip));
    }

    [Fact]
    public async Task Address_values_follow_the_addresses_flow()
    {
        var gate = await AddAsync("gate_code", FieldType.String, new FieldRules { Pattern = "^[0-9]{4}$" }, flow: Flow.Addresses);
        var customer = (await CreateCustomerAsync()).Customer!;
        var input = Addresses.AddressServiceTests.Valid();
        input.Custom = new() { ["gate_code"] = JsonValue.Create("12a4") };

        var ex = await Assert.ThrowsAsync<ValidationException>(() => services.Get<AddressService>().CreateAsync(As.Admin, customer.Id, input));
        input.Custom["gate_code"] = JsonValue.Create("1234");
        var address = (await services.Get<AddressService>().CreateAsync(As.Admin, customer.Id, input)).Value!;

        Assert.Equal("custom.gate_code", Assert.Single(ex.Errors).PropertyName);
        Assert.Equal("\"1234\"", CustomFieldValues.Parse(address.CustomData)[gate.Id.ToString()]!.ToJsonString());
    }

    [Fact]
    public async Task Only_admins_design_fields()
    {
        await Assert.ThrowsAsync<CommerceManager.Security.AccessDeniedException>(() => Designer.CreateFieldAsync(As.Representative, customers.Id,
            new FieldInput { Name = "X", Slug = "x", Type = FieldType.String }));
        await Assert.ThrowsAsync<CommerceManager.Security.AccessDeniedException>(() => Designer.EnsureFlowAsync(As.Viewer, Flow.Addresses, true));
    }
}
