package com.agentsecretstore.mcp;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkiverse.mcp.server.AudioContent;
import io.quarkiverse.mcp.server.BlobResourceContents;
import io.quarkiverse.mcp.server.CompletionResponse;
import io.quarkiverse.mcp.server.Content;
import io.quarkiverse.mcp.server.EmbeddedResource;
import io.quarkiverse.mcp.server.Icon;
import io.quarkiverse.mcp.server.ImageContent;
import io.quarkiverse.mcp.server.Implementation;
import io.quarkiverse.mcp.server.PromptResponse;
import io.quarkiverse.mcp.server.ResourceLink;
import io.quarkiverse.mcp.server.ResourceResponse;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.TextResourceContents;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Keeps the MCP protocol's own member names camelCase. The extension writes its response records
 * ({@code ToolResponse} and the content types) with the application's ObjectMapper, whose naming
 * strategy is snake_case for our REST API; without this, a refused tool call would say
 * {@code is_error} and MCP clients would take it for a success. The mix-ins replace the extension's
 * own (same types, same non-null inclusion) and add the protocol's naming; nothing of ours changes.
 */
@Singleton
public class McpJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        for (Class<?> type : new Class<?>[] { ToolResponse.class, PromptResponse.class, ResourceResponse.class,
                CompletionResponse.class, TextResourceContents.class, BlobResourceContents.class, AudioContent.class,
                EmbeddedResource.class, ImageContent.class, ResourceLink.class, TextContent.class, Content.Annotations.class,
                Icon.class, Implementation.class }) {
            mapper.addMixIn(type, ProtocolNames.class);
        }
    }

    /** After the extension's customizer (priority 0), so that these mix-ins are the ones kept. */
    @Override
    public int priority() {
        return DEFAULT_PRIORITY - 1;
    }

    @RegisterForReflection // Jackson reads its annotations at run time, in native images too
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    abstract static class ProtocolNames {
    }
}
