"""What the API answers, as pydantic models: they document the OpenAPI schema at /docs.

Layer 4. The handlers build plain dicts of these shapes (validating each answer would cost
time on every prediction); a test checks that real answers fit the models.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ModelInfo(BaseModel):
    """A model the server answers with, as its metadata describes it."""

    name: str = Field(description="What `?model=` calls it: its file's stem.")
    arch: str = Field(description="Its architecture, e.g. `cnn 784-conv8-conv16-10 (relu)`.")
    test_accuracy: float | None = Field(description="Its accuracy on MNIST test, if saved.")
    params: int = Field(description="Its number of weights and biases.")


class ModelList(BaseModel):
    """The models served; `default` answers when a request names none."""

    default: str
    models: list[ModelInfo]


class Timing(BaseModel):
    """Where the time of one prediction went, in milliseconds."""

    read_ms: float = Field(description="Receiving the body.")
    preprocess_ms: float = Field(description="Decoding the picture and making it MNIST-like.")
    predict_ms: float = Field(description="The model's forward pass.")
    total_ms: float = Field(description="From the request's first byte to the answer.")


class Prediction(BaseModel):
    """A model's reading of one picture."""

    model: str = Field(description="The model that read it.")
    digit: int = Field(description="The likeliest digit, 0-9.")
    probabilities: list[float] = Field(description="Ten probabilities, for digits 0-9.")
    view: list[list[int]] = Field(
        description="The 28x28 image the model saw after preprocessing, rows of gray levels "
        "0-255 (white ink on black, as in MNIST)."
    )
    timing: Timing


class ErrorBody(BaseModel):
    """Any refusal: one line that says what was wrong."""

    error: str
