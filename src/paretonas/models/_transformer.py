"""A Transformer-encoder supernet for token sequences or patches of signals."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from paretonas.elastic import ElasticLayerNorm, ElasticLinear, ElasticTransformerLayer
from paretonas.elastic.static import AddPosition, MeanTokens, Patchify, TokenEmbedding
from paretonas.errors import SpaceError
from paretonas.models._base import Supernet, check_choices, inactive_to_first
from paretonas.space import Choice, Config, Space


class TransformerSupernet(Supernet):
    """Embedding, up to ``max(depths)`` pre-norm encoder layers, mean pooling, linear head.

    Inputs are either signals shaped (channels, length), cut into ``patch``-long
    patches, or integer token ids shaped (length,) when ``vocab_size`` is given.
    Dimensions: ``depth``, ``embed``, ``head_dim``, and per layer ``l{j}_heads`` and
    ``l{j}_ffn_ratio`` (FFN width = embed * ratio).
    """

    def __init__(self, input_shape: Sequence[int], num_classes: int, depths: Sequence[int] = (1, 2, 3, 4),
                 embeds: Sequence[int] = (32, 48, 64), heads: Sequence[int] = (1, 2, 4),
                 head_dims: Sequence[int] = (8, 16), ffn_ratios: Sequence[int] = (1, 2, 4), patch: int = 4,
                 vocab_size: int | None = None, name: str = "transformer"):
        input_shape = tuple(int(v) for v in input_shape)
        super().__init__(dict(name=name, input_shape=list(input_shape), num_classes=num_classes,
                              depths=list(depths), embeds=list(embeds), heads=list(heads),
                              head_dims=list(head_dims), ffn_ratios=list(ffn_ratios), patch=patch,
                              vocab_size=vocab_size))
        depths, embeds = check_choices("depths", depths), check_choices("embeds", embeds)
        heads, head_dims = check_choices("heads", heads), check_choices("head_dims", head_dims)
        ffn_ratios = check_choices("ffn_ratios", ffn_ratios)
        self.input_shape, self.num_classes, self.vocab_size, self.patch = input_shape, num_classes, vocab_size, patch
        if vocab_size is None:
            if len(input_shape) != 2 or input_shape[1] % patch:
                raise SpaceError(
                    f"transformer takes signals shaped (channels, length) with length divisible by "
                    f"patch={patch}, or token ids with vocab_size set; this task's inputs are {input_shape}"
                )
            tokens = input_shape[1] // patch
            self.embed = ElasticLinear(input_shape[0] * patch, embeds[-1])
        else:
            if len(input_shape) != 1:
                raise SpaceError(f"with vocab_size the inputs must be token ids shaped (length,), got {input_shape}")
            tokens = input_shape[0]
            self.embed = nn.Embedding(vocab_size, embeds[-1])
        self.position = nn.Parameter(torch.zeros(tokens, embeds[-1]))
        nn.init.normal_(self.position, std=0.02)

        dims = [Choice("depth", depths), Choice("embed", embeds), Choice("head_dim", head_dims)]
        depth_of = {}
        for j in range(depths[-1]):
            dims += [Choice(f"l{j}_heads", heads), Choice(f"l{j}_ffn_ratio", ffn_ratios)]
            depth_of[f"l{j}_heads"] = depth_of[f"l{j}_ffn_ratio"] = ("depth", j)
        self.space = Space(dims, canonicalize=inactive_to_first({d.name: d.choices for d in dims}, depth_of))
        self.layers = nn.ModuleList(
            ElasticTransformerLayer(embeds[-1], heads[-1], head_dims[-1], embeds[-1] * ffn_ratios[-1])
            for _ in range(depths[-1])
        )
        self.norm = ElasticLayerNorm(embeds[-1])
        self.head = ElasticLinear(embeds[-1], num_classes)
        self.activate(self.largest_config())

    def example_input(self, batch: int = 1) -> torch.Tensor:
        if self.vocab_size is None:
            return super().example_input(batch)
        return torch.randint(0, self.vocab_size, (batch, *self.input_shape))

    def _apply(self, config: Config) -> None:
        self.depth, self.width = config["depth"], config["embed"]
        if self.vocab_size is None:
            self.embed.set_active(out_features=self.width)
        for j, layer in enumerate(self.layers[: self.depth]):
            layer.set_active(self.width, config[f"l{j}_heads"], config["head_dim"], self.width * config[f"l{j}_ffn_ratio"])
        self.norm.set_active(self.width)
        self.head.set_active(self.width, self.num_classes)

    def _tokens(self, x: torch.Tensor) -> torch.Tensor:
        if self.vocab_size is None:
            b, c, length = x.shape
            x = x.reshape(b, c, length // self.patch, self.patch).permute(0, 2, 1, 3).flatten(2)
            return self.embed(x)
        return F.embedding(x.long(), self.embed.weight[:, : self.width])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self._tokens(x)
        x = x + self.position[: x.shape[1], : self.width]
        for layer in self.layers[: self.depth]:
            x = layer(x)
        return self.head(self.norm(x).mean(dim=1))

    def layer_groups(self):
        groups = [("embed", None)] if self.vocab_size is None else []
        return groups + [(f"l{j}", ("depth", j)) for j in range(len(self.layers))] + [("head", None)]

    def group_paths(self, config: Config) -> dict[str, list[str]]:
        # _static: [patchify, linear] or [tokens], position, layers, norm, mean, head
        first = 3 if self.vocab_size is None else 2
        paths = {"embed": ["1"]} if self.vocab_size is None else {}
        paths.update({f"l{j}": [str(first + j)] for j in range(config["depth"])})
        paths["head"] = [str(first + config["depth"] + 2)]
        return paths

    def _static(self) -> nn.Module:
        if self.vocab_size is None:
            embed: list[nn.Module] = [Patchify(self.patch), self.embed.to_static()]
        else:
            table = nn.Embedding(self.vocab_size, self.width)
            table.weight.copy_(self.embed.weight[:, : self.width])
            embed = [TokenEmbedding(table)]
        return nn.Sequential(
            *embed, AddPosition(self.position[:, : self.width]),
            *(layer.to_static() for layer in self.layers[: self.depth]),
            self.norm.to_static(), MeanTokens(), self.head.to_static(),
        )
