package io.meshwork.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.resource.ResourceType;
import io.meshwork.model.Kind;
import org.junit.jupiter.api.Test;

class ApiRouteTest {

    @Test
    void namespacedCollectionsAndItems() {
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v1beta1/namespaces/shop/virtualservices"))
                .isEqualTo(new ApiRoute.Collection(new ResourceType(Kind.VIRTUAL_SERVICE, "v1beta1"), "shop"));
        assertThat(ApiRoute.parse("/apis/security.istio.io/v1/namespaces/shop/authorizationpolicies/deny-all/"))
                .isEqualTo(new ApiRoute.Item(new ResourceType(Kind.AUTHORIZATION_POLICY, "v1"), "shop", "deny-all"));
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v1/destinationrules"))
                .isEqualTo(new ApiRoute.Collection(ResourceType.preferred(Kind.DESTINATION_RULE), null));
    }

    @Test
    void coreNamespacesAreClusterScoped() {
        assertThat(ApiRoute.parse("/api/v1/namespaces"))
                .isEqualTo(new ApiRoute.Collection(new ResourceType(Kind.NAMESPACE, "v1"), null));
        assertThat(ApiRoute.parse("/api/v1/namespaces/my-app"))
                .isEqualTo(new ApiRoute.Item(new ResourceType(Kind.NAMESPACE, "v1"), null, "my-app"));
    }

    @Test
    void meshworkEndpoints() {
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/snapshot")).isEqualTo(new ApiRoute.Snapshot());
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/namespaces/shop/registrations"))
                .isEqualTo(new ApiRoute.Registrations("shop"));
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/namespaces/shop/registrations/a/keepalive"))
                .isEqualTo(new ApiRoute.Registration("shop", "a", true));
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/namespaces/shop/ratelimitpolicies"))
                .isEqualTo(new ApiRoute.Collection(ResourceType.preferred(Kind.RATE_LIMIT_POLICY), "shop"));
        assertThat(ApiRoute.parse("/healthz")).isEqualTo(new ApiRoute.Health());
    }

    @Test
    void caEndpointsAndWhatTheyNeed() {
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/certificates")).isEqualTo(new ApiRoute.Certificates());
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/trustbundle")).isEqualTo(new ApiRoute.Bundle());
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/tokens")).isEqualTo(new ApiRoute.Tokens());
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/ca/rotate")).isEqualTo(new ApiRoute.RootRotation());
        assertThat(ApiRoute.parse("/apis/meshwork.io/v1alpha1/ca")).isInstanceOf(ApiRoute.Unknown.class);

        var get = io.netty.handler.codec.http.HttpMethod.GET;
        var post = io.netty.handler.codec.http.HttpMethod.POST;
        var delete = io.netty.handler.codec.http.HttpMethod.DELETE;
        assertThat(AccessPolicy.need(new ApiRoute.Bundle(), get)).isEqualTo(AccessPolicy.Need.NONE);
        assertThat(AccessPolicy.need(new ApiRoute.Certificates(), post)).isEqualTo(AccessPolicy.Need.WORKLOAD);
        assertThat(AccessPolicy.need(new ApiRoute.Tokens(), post)).isEqualTo(AccessPolicy.Need.ADMIN);
        assertThat(AccessPolicy.need(new ApiRoute.Snapshot(), get)).isEqualTo(AccessPolicy.Need.READ);
        ApiRoute vs = ApiRoute.parse("/apis/networking.istio.io/v1/namespaces/shop/virtualservices/a");
        assertThat(AccessPolicy.need(vs, get)).isEqualTo(AccessPolicy.Need.READ);
        assertThat(AccessPolicy.need(vs, delete)).isEqualTo(AccessPolicy.Need.ADMIN);
        assertThat(AccessPolicy.need(new ApiRoute.Registrations("shop"), post)).isEqualTo(AccessPolicy.Need.REGISTRANT);
    }

    @Test
    void unknownTypesVersionsAndShapes() {
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v2/namespaces/shop/virtualservices"))
                .isInstanceOf(ApiRoute.Unknown.class);
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v1/namespaces/shop/virtualservices/a/status"))
                .isInstanceOf(ApiRoute.Unknown.class);
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v1/virtualservices/a"))
                .isInstanceOf(ApiRoute.Unknown.class);
        assertThat(ApiRoute.parse("/")).isInstanceOf(ApiRoute.Unknown.class);
    }

    @Test
    void namespacesAndNamesMustBeDnsNames() {
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v1/namespaces/Shop/virtualservices"))
                .isEqualTo(new ApiRoute.Invalid("namespace: Shop (expected: a DNS-1123 label such as shop)"));
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v1/namespaces/shop/virtualservices/a_b"))
                .isEqualTo(new ApiRoute.Invalid("name: a_b (expected: a DNS-1123 subdomain such as product-service)"));
        assertThat(ApiRoute.parse("/apis/networking.istio.io/v1/namespaces/shop/virtualservices/reviews.v2"))
                .isInstanceOf(ApiRoute.Item.class);
    }
}
