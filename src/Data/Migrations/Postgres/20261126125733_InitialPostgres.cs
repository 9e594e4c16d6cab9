using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InitialPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.CreateTable(
                name: "ApiKeys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false, collation: "C"),
                    ClientId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    SecretHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    SecretHint = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    RevokedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastUsedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AppSettings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    Value = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AppSettings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    NormalizedName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    MustChangePassword = table.Column<bool>(type: "boolean", nullable: false),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    NormalizedUserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    NormalizedEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    EmailConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordHash = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    SecurityStamp = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    PhoneNumber = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    PhoneNumberConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUsers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Carts",
                columns: table => new
                {
                    Reference = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Carts", x => x.Reference);
                });

            migrationBuilder.CreateTable(
                name: "Customers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    NormalizedName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false, collation: "C"),
                    NormalizedEmail = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false, collation: "C"),
                    EmailShared = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordHash = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ExternalRef = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CustomData = table.Column<string>(type: "jsonb", nullable: true),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Customers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Xml = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Flows",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Slug = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Description = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Flows", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OidcIssuedCodes",
                columns: table => new
                {
                    CodeHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    RedirectUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false, collation: "C"),
                    CodeChallenge = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Used = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OidcIssuedCodes", x => x.CodeHash);
                });

            migrationBuilder.CreateTable(
                name: "OidcLoginRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    RedirectUri = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false, collation: "C"),
                    StorefrontState = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true, collation: "C"),
                    CodeChallenge = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    ProviderCodeVerifier = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    Nonce = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OidcLoginRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OidcProfiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    DiscoveryUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false, collation: "C"),
                    ClientId = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false, collation: "C"),
                    ProtectedClientSecret = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Scopes = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    RedirectUris = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    AllowUnlistedPkce = table.Column<bool>(type: "boolean", nullable: false),
                    AuthorizationEndpoint = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Issuer = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    DiscoveredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DiscoveryError = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OidcProfiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RowCounts",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    Count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RowCounts", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "SigningKeys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ProtectedSecret = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SigningKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RoleId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ClaimType = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ClaimValue = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoleClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetRoleClaims_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ClaimType = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ClaimValue = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetUserClaims_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserLogins",
                columns: table => new
                {
                    LoginProvider = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ProviderKey = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ProviderDisplayName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
                    table.ForeignKey(
                        name: "FK_AspNetUserLogins_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserRoles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    RoleId = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserRoles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserTokens",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    LoginProvider = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Value = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                    table.ForeignKey(
                        name: "FK_AspNetUserTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CartItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CartReference = table.Column<string>(type: "character varying(128)", nullable: false, collation: "C"),
                    Name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Sku = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Description = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Quantity = table.Column<int>(type: "integer", nullable: false),
                    UnitPrice = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CartItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CartItems_Carts_CartReference",
                        column: x => x.CartReference,
                        principalTable: "Carts",
                        principalColumn: "Reference",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Addresses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    FirstName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    LastName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    CompanyName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Line1 = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Line2 = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    City = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Region = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Postcode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    County = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false, collation: "C"),
                    PhoneNumber = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true, collation: "C"),
                    Instructions = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true, collation: "C"),
                    CustomData = table.Column<string>(type: "jsonb", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Addresses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Addresses_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CustomerTokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    Mechanism = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CustomerTokens_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Orders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: true),
                    CustomerName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CustomerEmail = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    NormalizedCustomerName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    NormalizedCustomerEmail = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Payment = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Shipping = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false, collation: "C"),
                    Total = table.Column<long>(type: "bigint", nullable: false),
                    Tax = table.Column<long>(type: "bigint", nullable: false),
                    ItemCount = table.Column<int>(type: "integer", nullable: false),
                    CartReference = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    OrderNumber = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true, collation: "C"),
                    ExternalRef = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true, collation: "C"),
                    PaidAmount = table.Column<long>(type: "bigint", nullable: false),
                    AuthorizedAmount = table.Column<long>(type: "bigint", nullable: false),
                    BillingAddress_FirstName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    BillingAddress_LastName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    BillingAddress_CompanyName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    BillingAddress_Line1 = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    BillingAddress_Line2 = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    BillingAddress_City = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    BillingAddress_Region = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    BillingAddress_Postcode = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    BillingAddress_County = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    BillingAddress_Country = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    BillingAddress_PhoneNumber = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    BillingAddress_Instructions = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ShippingAddress_FirstName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ShippingAddress_LastName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ShippingAddress_CompanyName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ShippingAddress_Line1 = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ShippingAddress_Line2 = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ShippingAddress_City = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ShippingAddress_Region = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ShippingAddress_Postcode = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ShippingAddress_County = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ShippingAddress_Country = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ShippingAddress_PhoneNumber = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ShippingAddress_Instructions = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Orders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Orders_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "Fields",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    FlowId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Slug = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    Description = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Required = table.Column<bool>(type: "boolean", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    OmitNull = table.Column<bool>(type: "boolean", nullable: false),
                    CustomerEditable = table.Column<bool>(type: "boolean", nullable: false),
                    Order = table.Column<int>(type: "integer", nullable: false),
                    DefaultJson = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Rules = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Fields", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Fields_Flows_FlowId",
                        column: x => x.FlowId,
                        principalTable: "Flows",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CustomerLogins",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CustomerId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProfileId = table.Column<Guid>(type: "uuid", nullable: false),
                    Subject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    Email = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastSignInAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LinkedExisting = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerLogins", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CustomerLogins_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CustomerLogins_OidcProfiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "OidcProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrderEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrderId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Field = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    From = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    To = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    By = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderEvents_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrderItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrderId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Sku = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Quantity = table.Column<int>(type: "integer", nullable: false),
                    UnitPrice = table.Column<long>(type: "bigint", nullable: false),
                    LineTotal = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderItems_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrderTransactions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrderId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Gateway = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    RefundedAmount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false, collation: "C"),
                    CustomReference = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    Name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true, collation: "C"),
                    CreatedBy = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderTransactions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderTransactions_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Addresses_CustomData_gin",
                table: "Addresses",
                column: "CustomData")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "jsonb_path_ops" });

            migrationBuilder.CreateIndex(
                name: "IX_Addresses_CustomerId_CreatedAt",
                table: "Addresses",
                columns: new[] { "CustomerId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_ClientId",
                table: "ApiKeys",
                column: "ClientId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AspNetRoleClaims_RoleId",
                table: "AspNetRoleClaims",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "AspNetRoles",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserClaims_UserId",
                table: "AspNetUserClaims",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserLogins_UserId",
                table: "AspNetUserLogins",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserRoles_RoleId",
                table: "AspNetUserRoles",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "AspNetUsers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "AspNetUsers",
                column: "NormalizedUserName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CartItems_CartReference",
                table: "CartItems",
                column: "CartReference");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerLogins_CustomerId",
                table: "CustomerLogins",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerLogins_ProfileId_Subject",
                table: "CustomerLogins",
                columns: new[] { "ProfileId", "Subject" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Customers_CreatedAt_Id",
                table: "Customers",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_CustomData_gin",
                table: "Customers",
                column: "CustomData")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "jsonb_path_ops" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_ExternalRef",
                table: "Customers",
                column: "ExternalRef");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedEmail",
                table: "Customers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedEmail_trgm",
                table: "Customers",
                column: "NormalizedEmail")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedEmail_Unique",
                table: "Customers",
                column: "NormalizedEmail",
                unique: true,
                filter: "NOT \"EmailShared\"");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedName_Id",
                table: "Customers",
                columns: new[] { "NormalizedName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_NormalizedName_trgm",
                table: "Customers",
                column: "NormalizedName")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_UpdatedAt_Id",
                table: "Customers",
                columns: new[] { "UpdatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_CustomerTokens_CustomerId_ExpiresAt",
                table: "CustomerTokens",
                columns: new[] { "CustomerId", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Fields_FlowId_Slug",
                table: "Fields",
                columns: new[] { "FlowId", "Slug" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Flows_Slug",
                table: "Flows",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OidcIssuedCodes_ExpiresAt",
                table: "OidcIssuedCodes",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_OidcLoginRequests_ExpiresAt",
                table: "OidcLoginRequests",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_OrderEvents_OrderId_At",
                table: "OrderEvents",
                columns: new[] { "OrderId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_OrderItems_OrderId",
                table: "OrderItems",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_CustomerId_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "CustomerId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_ExternalRef",
                table: "Orders",
                column: "ExternalRef");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_NormalizedCustomerEmail_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "NormalizedCustomerEmail", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_NormalizedCustomerName_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "NormalizedCustomerName", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_OrderNumber",
                table: "Orders",
                column: "OrderNumber");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Payment_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "Payment", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Payment_Shipping_Status",
                table: "Orders",
                columns: new[] { "Payment", "Shipping", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Shipping_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "Shipping", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Shipping_Status_Payment",
                table: "Orders",
                columns: new[] { "Shipping", "Status", "Payment" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Status_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "Status", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Status_Payment_Shipping",
                table: "Orders",
                columns: new[] { "Status", "Payment", "Shipping" });

            migrationBuilder.CreateIndex(
                name: "IX_OrderTransactions_OrderId_CreatedAt",
                table: "OrderTransactions",
                columns: new[] { "OrderId", "CreatedAt" });

            // Row counts kept by statement-level triggers (one counter update per statement, also for COPY), so an
            // unfiltered list's total is one primary-key read, as on SQLite.
            migrationBuilder.Sql("INSERT INTO \"RowCounts\" (\"Name\", \"Count\") VALUES ('Customers', 0), ('Orders', 0), ('Addresses', 0);");
            migrationBuilder.Sql("""
                CREATE FUNCTION row_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE n bigint;
                BEGIN
                    SELECT count(*) INTO n FROM new_rows;
                    IF n > 0 THEN UPDATE "RowCounts" SET "Count" = "Count" + n WHERE "Name" = TG_ARGV[0]; END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION row_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE n bigint;
                BEGIN
                    SELECT count(*) INTO n FROM old_rows;
                    IF n > 0 THEN UPDATE "RowCounts" SET "Count" = "Count" - n WHERE "Name" = TG_ARGV[0]; END IF;
                    RETURN NULL;
                END $$;
                """);
            foreach (var table in new[] { "Customers", "Orders", "Addresses" })
            {
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_count_insert\" AFTER INSERT ON \"{table}\" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION row_count_inserted('{table}');");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_count_delete\" AFTER DELETE ON \"{table}\" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION row_count_deleted('{table}');");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "Customers", "Orders", "Addresses" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_count_insert\" ON \"{table}\";");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_count_delete\" ON \"{table}\";");
            }
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS row_count_inserted();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS row_count_deleted();");

            migrationBuilder.DropTable(
                name: "Addresses");

            migrationBuilder.DropTable(
                name: "ApiKeys");

            migrationBuilder.DropTable(
                name: "AppSettings");

            migrationBuilder.DropTable(
                name: "AspNetRoleClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserLogins");

            migrationBuilder.DropTable(
                name: "AspNetUserRoles");

            migrationBuilder.DropTable(
                name: "AspNetUserTokens");

            migrationBuilder.DropTable(
                name: "CartItems");

            migrationBuilder.DropTable(
                name: "CustomerLogins");

            migrationBuilder.DropTable(
                name: "CustomerTokens");

            migrationBuilder.DropTable(
                name: "DataProtectionKeys");

            migrationBuilder.DropTable(
                name: "Fields");

            migrationBuilder.DropTable(
                name: "OidcIssuedCodes");

            migrationBuilder.DropTable(
                name: "OidcLoginRequests");

            migrationBuilder.DropTable(
                name: "OrderEvents");

            migrationBuilder.DropTable(
                name: "OrderItems");

            migrationBuilder.DropTable(
                name: "OrderTransactions");

            migrationBuilder.DropTable(
                name: "RowCounts");

            migrationBuilder.DropTable(
                name: "SigningKeys");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "Carts");

            migrationBuilder.DropTable(
                name: "OidcProfiles");

            migrationBuilder.DropTable(
                name: "Flows");

            migrationBuilder.DropTable(
                name: "Orders");

            migrationBuilder.DropTable(
                name: "Customers");
        }
    }
}
