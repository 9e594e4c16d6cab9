using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Data;
using CommerceManager.Security;
using CommerceManager.Staff;
using FluentValidation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace CommerceManager;

public static class ServiceRegistration
{
    public static IServiceCollection AddCommerceServices(this IServiceCollection services)
    {
        services.AddOptions<StoreSettings>().BindConfiguration("Store");
        services.AddSingleton(TimeProvider.System);
        // OrderAddressValidator is a child of CheckoutInputValidator, not the AddressInput validator of record.
        services.AddValidatorsFromAssemblyContaining<CustomerInputValidator>(ServiceLifetime.Singleton,
            filter: r => r.ValidatorType != typeof(OrderAddressValidator));
        services.AddSingleton<IPasswordHasher<Customer>, PasswordHasher<Customer>>();
        services.AddSingleton<CustomerService>();
        services.AddSingleton<StaffService>();
        services.AddSingleton<AddressService>();
        services.AddSingleton<CartService>();
        services.AddSingleton<CheckoutService>();
        services.AddSingleton<OrderService>();
        services.AddSingleton<CustomFields.CustomFieldService>();
        services.AddSingleton<CustomerSignIn.OidcProfileService>();
        services.AddOptions<CustomerSignIn.SignInSettings>().BindConfiguration("CustomerSignIn");
        services.AddHttpClient(CustomerSignIn.OidcProfileService.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        return services;
    }

    /// <summary>
    /// Data Protection keys (sign-in cookies, antiforgery, reset tokens) live beside the database, so restarts
    /// keep staff signed in. Several instances must share this folder.
    /// </summary>
    public static IServiceCollection AddKeyStorage(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var path = Path.GetFullPath(config["DataProtection:KeysPath"] ?? "data/keys", contentRoot);
        services.AddDataProtection()
            .SetApplicationName("CommerceManager")
            .PersistKeysToFileSystem(new DirectoryInfo(path));
        return services;
    }

    public static IServiceCollection AddStaffIdentity(this IServiceCollection services)
    {
        services.AddCascadingAuthenticationState();
        services.AddScoped<Account.IdentityRedirectManager>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, Account.RevalidatingAuthStateProvider>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        services.AddAuthorization();

        services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordPolicy.HashIterations);
        services.AddIdentityCore<StaffUser>(o =>
            {
                // Length and a breach list instead of composition rules (PasswordPolicy).
                o.Password.RequiredLength = PasswordPolicy.MinLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PolicyPasswordValidator<StaffUser>>();
        return services;
    }
}
