// imr-bot on Azure: App Service for Linux (the container), PostgreSQL Flexible Server, Key Vault
// for the secrets, and the Azure Bot resource (single tenant) with its Teams channel.
// az deployment group create -g <rg> -f deploy/azure/main.bicep -p appId=<app registration id> ...
targetScope = 'resourceGroup'

@description('Short name used for every resource')
param name string = 'imr-bot'
param location string = resourceGroup().location
@description('The app registration (single tenant) the bot signs in as')
param appId string
@description('The council tenant the app registration belongs to')
param tenantId string = subscription().tenantId
@description('Container image, e.g. myregistry.azurecr.io/imr-bot:0.1.0')
param image string
@description('PostgreSQL administrator login')
param dbAdmin string = 'imradmin'
@secure()
@description('PostgreSQL administrator password (stored in Key Vault)')
param dbPassword string
@secure()
@description('The app registration client secret (stored in Key Vault)')
param appPassword string
@secure()
@description('The audit chain key, at least 32 random characters, e.g. openssl rand -hex 32 (stored in Key Vault; never in the database)')
param auditKey string

var hostName = '${name}-${uniqueString(resourceGroup().id)}'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('${name}-kv-${uniqueString(resourceGroup().id)}', 24)
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource appPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'MicrosoftAppPassword'
  properties: { value: appPassword }
}

resource auditKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'ImrAuditKey'
  properties: { value: auditKey }
}

resource dbUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'ImrDatabaseUrl'
  properties: {
    value: 'postgresql+asyncpg://${dbAdmin}:${dbPassword}@${postgres.properties.fullyQualifiedDomainName}:5432/imr?ssl=require'
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2023-06-01-preview' = {
  name: '${name}-pg-${uniqueString(resourceGroup().id)}'
  location: location
  sku: { name: 'Standard_B1ms', tier: 'Burstable' }
  properties: {
    version: '16'
    administratorLogin: dbAdmin
    administratorLoginPassword: dbPassword
    storage: { storageSizeGB: 32 }
    backup: { backupRetentionDays: 35, geoRedundantBackup: 'Disabled' }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-06-01-preview' = {
  parent: postgres
  name: 'imr'
}

resource plan 'Microsoft.Web/serverfarms@2023-01-01' = {
  name: '${name}-plan'
  location: location
  kind: 'linux'
  sku: { name: 'B1' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2023-01-01' = {
  name: hostName
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'DOCKER|${image}'
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'WEBSITES_PORT', value: '3978' }
        { name: 'IMR_HOST', value: '0.0.0.0' }
        { name: 'IMR_PUBLIC_URL', value: 'https://${hostName}.azurewebsites.net' }
        { name: 'MicrosoftAppId', value: appId }
        { name: 'MicrosoftAppType', value: 'SingleTenant' }
        { name: 'MicrosoftAppTenantId', value: tenantId }
        { name: 'IMR_ALLOWED_TENANTS', value: tenantId }
        { name: 'MicrosoftAppPassword', value: '@Microsoft.KeyVault(SecretUri=${appPasswordSecret.properties.secretUri})' }
        { name: 'IMR_DATABASE_URL', value: '@Microsoft.KeyVault(SecretUri=${dbUrlSecret.properties.secretUri})' }
        { name: 'IMR_AUDIT_KEY', value: '@Microsoft.KeyVault(SecretUri=${auditKeySecret.properties.secretUri})' }
      ]
    }
  }
}

// the web app reads the three secrets with its managed identity
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, site.id, 'secrets-user')
  scope: vault
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'S1' }
  properties: {
    displayName: 'IMR bot'
    endpoint: 'https://${hostName}.azurewebsites.net/api/messages'
    msaAppId: appId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: { channelName: 'MsTeamsChannel', properties: { isEnabled: true } }
}

output endpoint string = bot.properties.endpoint
output publicUrl string = 'https://${hostName}.azurewebsites.net'
